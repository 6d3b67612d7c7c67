# Administrasjonskonsollen (norsk bokmål).

admin-title = Administrasjon
admin-audit-title = Revisjonslogg
admin-forbidden = Rollen din tillater ikke dette.
admin-note = Administratorer forvalter domener, kontoer og kvoter. Ingen her kan lese e-post: hver postkasse åpnes bare med eierens nøkler.
admin-domains = Domener
admin-domain = Domene
admin-accounts = Kontoer
admin-account = Konto
admin-role = Rolle
admin-quota = Kvote (byte, 0 for ingen)
admin-certified = Rekommandert e-post
admin-yes = ja
admin-no = nei
admin-create-title = Opprett en konto
admin-address = Adresse
admin-initial-password = Første passord
admin-create = Opprett konto
admin-created = Kontoen er opprettet. Gi eieren denne gjenopprettingskoden, som bare vises nå; den er den eneste måten å tilbakestille passordet på uten å miste e-post:
admin-quota-title = Angi en kvote
admin-set-quota = Angi kvote
admin-quota-set = Kvoten er angitt.
admin-bad-quota = Kvoten må være et helt antall byte.
admin-reauth-title = Bekreft at det er deg
admin-reauth-note = Administrative endringer krever en kode fra autentiseringsappen din, skrevet inn i løpet av de siste 5 minuttene.
admin-code = Kode
admin-confirm = Bekreft
admin-bad-code = Koden er feil, utløpt eller allerede brukt.
admin-view-audit = Revisjonslogg
admin-filter = Filtrer
admin-actor = Utført av
admin-action = Handling (eller prefiks, f.eks. auth)
admin-action-column = Handling
admin-target = Gjelder
admin-limit = Oppføringer
admin-time = Tidspunkt
admin-client = Klient
admin-details = Detaljer
admin-chain-ok = Hashkjeden er intakt:
admin-chain-broken = Hashkjeden er BRUTT:
admin-entries = { $plural ->
    [one] { $count } oppføring
   *[other] { $count } oppføringer
}
admin-back = Tilbake til administrasjon
admin-failed = Det gikk ikke:
