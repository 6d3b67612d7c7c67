# Innlogging og /account (norsk bokmål).

## Innlogging
account-sign-in-title = Logg inn
account-address = E-postadresse
account-password = Passord
account-sign-in = Logg inn
account-fill-both = Skriv inn adressen og passordet ditt.
account-bad-credentials = Feil adresse eller passord.
account-too-many = For mange mislykkede forsøk. Prøv igjen senere.
account-locked-out = { $plural ->
    [one] For mange mislykkede forsøk. Prøv igjen om { $count } sekund.
   *[other] For mange mislykkede forsøk. Prøv igjen om { $count } sekunder.
}
account-second-factor-title = Andre faktor
account-second-factor-intro = Skriv inn den sekssifrede koden fra autentiseringsappen, eller en av gjenopprettingskodene dine.
account-code = Kode
account-verify = Bekreft
account-bad-code = Koden er feil, utløpt eller allerede brukt.
account-forbidden-title = Ingen tilgang
account-csrf-refused = Dette skjemaet kom ikke fra dette nettstedet, eller det er utløpt. Last inn siden på nytt og prøv igjen.
account-unavailable-title = Midlertidig utilgjengelig
account-unavailable = Serveren kan ikke gjøre dette akkurat nå. Prøv igjen om litt.
account-back = Tilbake til kontoen din
account-not-found = Elementet finnes ikke.

## /account
account-nav = Kontoen din
account-title = Kontoen din
account-signed-in-as = Logget inn som
account-admin-link = Administrasjon
account-sign-out = Logg ut

account-password-title = Passord
account-password-note = Passordet låser opp den krypterte postkassen din. Når du endrer det, pakkes bare postkassenøkkelen inn på nytt; ingen e-post krypteres om. Dine andre nettøkter logges ut.
account-current-password = Nåværende passord
account-new-password = Nytt passord (minst 8 tegn)
account-confirm-password = Gjenta det nye passordet
account-change-password = Endre passord
account-passwords-differ = De to nye passordene er ikke like.
account-password-changed = Passordet er endret. Bruk det nye i e-postprogrammer som ikke bruker et app-passord.
account-wrong-current-password = Det nåværende passordet er feil.

account-mfa-title = Totrinnsinnlogging
account-mfa-on = Totrinnsinnlogging er på (autentiseringsapp).
account-mfa-off = Totrinnsinnlogging er av. Slå den på for å beskytte denne siden med en kode fra en autentiseringsapp.
account-mfa-off-passkeys = Koder fra en autentiseringsapp er av; passnøklene dine er det andre trinnet. Du kan også slå på koder, som en ekstra vei inn.
account-mfa-enable = Slå på totrinnsinnlogging
account-mfa-disable = Slå av totrinnsinnlogging
account-mfa-enrol-intro = Legg til denne nøkkelen i autentiseringsappen (skriv inn hemmeligheten, eller åpne otpauth-lenken på telefonen), og skriv så inn koden den viser.
account-mfa-qr = QR-kode for autentiseringsnøkkelen
account-mfa-secret = Hemmelighet:
account-mfa-uri = Lenke:
account-mfa-confirm = Bekreft og slå på
account-mfa-enabled = Totrinnsinnlogging er på.
account-mfa-disabled = Totrinnsinnlogging er av.
account-mfa-already-on = Totrinnsinnlogging er allerede på. Slå den av først for å registrere en ny app.
account-recovery-note = Disse gjenopprettingskodene vises bare nå. Hver av dem logger deg inn én gang hvis du mister telefonen. Oppbevar dem på et trygt sted.
account-recovery-left = { $plural ->
    [one] { $count } gjenopprettingskode igjen.
   *[other] { $count } gjenopprettingskoder igjen.
}

account-apps-title = App-passord
account-apps-note = E-postprogrammer (IMAP, POP3, SMTP) logger inn med et app-passord som bare gjelder protokollene du velger, og som kan trekkes tilbake for seg.
account-label = Navn
account-scopes = Protokoller
account-created = Opprettet
account-revoke = Trekk tilbake
account-apps-create = Opprett app-passord
account-apps-created = Nytt app-passord
account-apps-revoked = App-passordet er trukket tilbake; e-postprogrammer som bruker det, kan ikke lenger logge inn.
account-shown-once = Det vises bare nå: kopier det inn i e-postprogrammet ditt.

account-sessions-title = Nettøkter
account-client = Klient
account-started = Startet
account-this-session = denne
account-session-revoked = Økten er logget ut.

## Gjenopprettingsadresse og bekreftelse per e-post
account-recovery-title = Gjenopprettingsadresse
account-recovery-intro = En adresse utenfor denne serveren der du kan nås hvis du mister tilgangen til kontoen. Den gjelder først når du har bekreftet den med lenken vi sender dit.
account-recovery-none = Ingen gjenopprettingsadresse er satt.
account-recovery-pending = { $address } venter på bekreftelse: åpne lenken vi sendte dit (gyldig i 24 timer).
account-recovery-verified = { $address } er bekreftet.
account-recovery-field = Gjenopprettingsadresse
account-recovery-save = Lagre og send bekreftelseslenke
account-recovery-sent = Vi har sendt en bekreftelseslenke til { $address }. Den virker én gang, i 24 timer. Til du åpner den, er adressen ikke bekreftet.
account-recovery-bad-address = Dette er ikke en brukbar e-postadresse.
account-recovery-own-address = Velg en annen adresse enn kontoens egen.
account-recovery-rate-limited = For mange bekreftelsesmeldinger den siste timen. Prøv igjen senere.
account-recovery-confirm-title = Bekreft gjenopprettingsadressen
account-recovery-confirm-intro = Bekreft at { $address } er gjenopprettingsadressen til denne kontoen.
account-recovery-confirm = Bekreft
account-recovery-confirmed = Gjenopprettingsadressen din, { $address }, er bekreftet.
account-recovery-token-invalid = Denne bekreftelseslenken er ikke gyldig: den er allerede brukt, erstattet av en nyere eller kopiert ufullstendig. Angi adressen på nytt for å få en ny lenke.
account-recovery-token-expired = Denne bekreftelseslenken er utløpt. Angi adressen på nytt for å få en ny lenke.
account-recovery-mail-subject = Bekreft gjenopprettingsadressen din
account-recovery-mail-intro = Noen logget inn som { $account } på { $host } og oppga denne adressen som kontoens gjenopprettingsadresse.
account-recovery-mail-action = For å bekrefte den, åpne denne lenken innen 24 timer mens du er logget inn på kontoen:
account-recovery-mail-ignore = Hvis det ikke var deg, kan du se bort fra denne meldingen: adressen blir ikke brukt, og ingen kan logge inn med denne lenken.

## Økter fra e-postprogrammer; med totrinnsinnlogging trengs app-passord; økt låst etter omstart
account-mail-sessions-title = Økter fra e-postprogrammer
account-mail-sessions-note = E-postprogrammer som er tilkoblet nå over IMAP, POP3 eller SMTP. Avslutter du en økt, kobles programmet fra med en gang; for å holde det ute må du også trekke tilbake app-passordet eller bytte passord.
account-mail-sessions-none = Ingen e-postprogrammer er tilkoblet.
account-protocol = Protokoll
account-client-address = Adresse
account-client-app = Program
account-last-activity = Sist aktiv
account-end-session = Avslutt økten
account-mail-session-ended = Økten ble avsluttet, og programmet ble koblet fra.
account-mail-session-ending = Økten blir avsluttet; programmet kobles fra om et øyeblikk.
account-mfa-mail-apps-note = Når totrinnsinnlogging er på, godtar ikke e-postprogrammer (IMAP, POP3, SMTP) lenger kontopassordet ditt, fordi de ikke kan be om en kode. Lag et app-passord for hvert e-postprogram nedenfor og bruk det i stedet.
account-locked-title = Postkassen er låst
account-locked-note = Tjeneren er startet på nytt siden du logget inn. Du er fortsatt innlogget, men nøkkelen til postkassen er ikke lenger i minnet: skriv inn passordet for å låse den opp for denne økten. Innstillinger og økter virker uten; å lage app-passord og eksportere e-post krever den.
account-unlock = Lås opp
account-unlocked = Postkassen er låst opp for denne økten.

## Eksport av e-post og sletting av kontoen
account-data-title = Dine data
account-export-title = Eksporter e-posten din
account-export-link = Last ned all e-posten din (mbox)
account-export-note = Last ned alle meldinger i alle mapper som én mbox-fil (mboxrd-formatet som Thunderbird, mutt og de fleste e-postprogrammer kan importere). E-posten dekrypteres bare i tjenerens minne mens den sendes til deg; ingen dekryptert kopi skrives til disk. Filen er ikke kryptert: oppbevar den trygt.
account-export-submit = Last ned mbox
account-delete-title = Slett kontoen din
account-delete-link = Slett kontoen din
account-delete-what = Når du sletter kontoen, blir den kryptografisk makulert. Først destrueres nøklene som dekrypterer postkassen: passordet, gjenopprettingskoden, app-passordene og totrinnsinnloggingen. Deretter slettes postkassefilen og e-post som venter på deg, og du logges ut overalt.
account-delete-irrecoverable = Dette kan ikke angres: uten nøklene er de krypterte dataene på denne tjeneren uleselige, både for deg og for administratorene. Sikkerhetskopier av tjeneren tatt før slettingen inneholder fortsatt den krypterte postkassen og nøklene, låst med det gamle passordet ditt, til oppbevaringsreglene for sikkerhetskopier fjerner dem.
account-delete-audit-note = Sikkerhetsloggen beholder en oppføring om at kontoen ble slettet, og når.
account-delete-export-first = Vil du beholde e-posten? Eksporter den først.
account-delete-confirm-label = Skriv e-postadressen din for å bekrefte
account-delete-totp-label = Kode fra autentiseringsappen
account-delete-submit = Slett kontoen min for godt
account-delete-wrong-confirmation = Adressen du skrev, stemmer ikke med denne kontoen. Ingenting ble slettet.
account-delete-wrong-password = Det nåværende passordet er feil. Ingenting ble slettet.
account-delete-wrong-code = Koden er feil, utløpt eller allerede brukt. Ingenting ble slettet.
account-delete-last-admin = Du er den eneste administratoren på denne tjeneren, så denne kontoen kan ikke slettes. Gjør en annen konto til administrator først.
account-deleted-title = Kontoen er slettet
account-deleted = Kontoen din ble slettet: først ble nøklene destruert, deretter e-posten. Du er logget ut.

## Passnøkler (WebAuthn) som andre trinn ved innlogging
account-passkeys-title = Passnøkler
account-passkeys-note = En passnøkkel (lagret på denne enheten, telefonen din eller en sikkerhetsnøkkel) kan være det andre trinnet når du logger inn, i stedet for en kode. Du skriver fortsatt inn passordet først: det er det som låser opp postkassen. Ha en annen vei inn i tillegg, for eksempel en ekstra passnøkkel eller en autentiseringsapp med gjenopprettingskoder.
account-passkeys-none = Ingen passnøkler er registrert.
account-passkeys-unavailable = Passnøkler er ikke tilgjengelige på denne serveren: vertsnavnet er ikke et domenenavn.
account-passkeys-need-js = Passnøkler krever JavaScript, som er slått av eller blokkert i denne nettleseren. Alt annet fungerer uten.
account-passkey-name = Navn på den nye passnøkkelen
account-passkey-add = Legg til en passnøkkel
account-passkey-remove = Fjern
account-passkey-last-used = Sist brukt
account-passkey-name-invalid = Gi passnøkkelen et navn på 1 til 64 tegn.
account-passkey-start-again = Denne passnøkkelforespørselen er utløpt eller allerede besvart. Prøv igjen.
account-passkey-failed = Passnøkkelen kunne ikke bekreftes. Ingenting ble endret.
account-passkey-exists = Denne passnøkkelen er allerede registrert.
account-passkey-counter = Denne passnøkkelen ble avvist: den oppga et lavere bruksantall enn et som allerede er sett, så den kan ha blitt kopiert (en klonet autentiserer). Hvis du ikke ventet dette, fjern den og registrer en ny.
account-passkey-session = Økten er utløpt. Logg inn på nytt.
account-passkey-working = Venter på passnøkkelen…
account-passkey-cancelled = Passnøkkelforespørselen ble avbrutt, tidsavbrutt eller støttes ikke av denne nettleseren.
account-passkey-intro = Bekreft at det er deg med passnøkkelen din.
account-passkey-sign-in = Bruk en passnøkkel
account-passkey-or-code = Eller skriv inn en kode fra autentiseringsappen, eller en gjenopprettingskode:
account-recovery-code-title = Gjenopprettingskode
account-recovery-code-note = Med gjenopprettingskoden kan et nytt passord settes uten at du mister e-posten din (en administrator kjører tilbakestillingen med den). Den som opprettet kontoen din, så den første koden: lag en ny og oppbevar den et trygt sted, borte fra denne datamaskinen. Den gamle koden slutter å virke med en gang.
account-recovery-code-make = Lag en ny gjenopprettingskode
account-recovery-code-new = Din nye gjenopprettingskode, vist bare nå. Den gamle virker ikke lenger.
