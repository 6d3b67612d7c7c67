# /verify, la verifica delle prove di posta certificata (italiano).

verify-title = Verifica le prove di posta certificata
verify-nav = Verifica prove
verify-bundle = Pacchetto di prove ({ $file } di una ricevuta)
verify-message = Messaggio originale ({ $ext }, facoltativo): se ne confronta l'hash
verify-tsa-ca = Certificato della CA della TSA di cui ti fidi (PEM, facoltativo; altrimenti quello incluso nel pacchetto)
verify-submit = Verifica
verify-nothing-stored = Nulla di ciò che carichi viene conservato. Gli stessi controlli si eseguono anche offline con { $command }; ogni token { $token } si verifica anche con { $openssl }.
verify-need-multipart = Invia il modulo come multipart/form-data.
verify-malformed = Il caricamento non è un corpo multipart/form-data ben formato.
verify-choose-bundle = Scegli un pacchetto di prove (evidence.json) da verificare.
verify-bundle-unreadable = NON VERIFICATO: { $reason }
verify-bad-ca = La CA della TSA non è un certificato PEM: { $error }
verify-verified = VERIFICATO
verify-verified-detail = ogni token, firma, certificato, hash e prova risulta valido.
verify-not-verified = NON VERIFICATO
verify-failed-parts = non superati: { $parts }
verify-col-result = Esito
verify-col-part = Elemento
verify-col-detail = Dettaglio
verify-holds = ✓ valido
verify-fails = ✗ non valido
verify-another = Verifica un altro pacchetto
