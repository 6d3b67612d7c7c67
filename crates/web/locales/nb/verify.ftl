# /verify, kontroll av bevis for rekommandert e-post (norsk bokmål).

verify-title = Kontroller bevis for rekommandert e-post
verify-nav = Kontroller bevis
verify-bundle = Bevispakke ({ $file } fra en kvittering)
verify-message = Opprinnelig melding ({ $ext }, valgfritt): hashverdien sammenlignes
verify-tsa-ca = TSA-ens CA-sertifikat som du stoler på (PEM, valgfritt; ellers pakkens eget)
verify-submit = Kontroller
verify-nothing-stored = Ingenting du laster opp, blir lagret. De samme kontrollene kan kjøres frakoblet med { $command }; hvert { $token }-token kan også kontrolleres med { $openssl }.
verify-need-multipart = Send skjemaet som multipart/form-data.
verify-malformed = Opplastingen er ikke en gyldig multipart/form-data-forespørsel.
verify-choose-bundle = Velg en bevispakke (evidence.json) som skal kontrolleres.
verify-bundle-unreadable = IKKE BEKREFTET: { $reason }
verify-bad-ca = TSA-ens CA er ikke et PEM-sertifikat: { $error }
verify-verified = BEKREFTET
verify-verified-detail = alle tokener, signaturer, sertifikater, hashverdier og bevis holder.
verify-not-verified = IKKE BEKREFTET
verify-failed-parts = feilet: { $parts }
verify-col-result = Resultat
verify-col-part = Del
verify-col-detail = Detaljer
verify-holds = ✓ holder
verify-fails = ✗ feiler
verify-another = Kontroller en annen
