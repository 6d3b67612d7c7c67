# /verify, the certified-mail evidence checker (English). Adding a string = one entry in
# each of en, it, ar, nb/verify.ftl. File names and commands are arguments, shown as code.

verify-title = Verify certified-mail evidence
verify-nav = Verify evidence
verify-bundle = Evidence bundle ({ $file } from a receipt)
verify-message = Original message ({ $ext }, optional): its hash is compared
verify-tsa-ca = TSA CA certificate you trust (PEM, optional; otherwise the bundle's own)
verify-submit = Verify
verify-nothing-stored = Nothing you upload is stored. The same checks run offline with { $command }; each { $token } token also verifies with { $openssl }.
verify-need-multipart = Send the form as multipart/form-data.
verify-malformed = The upload is not a well-formed multipart/form-data body.
verify-choose-bundle = Choose an evidence bundle (evidence.json) to verify.
verify-bundle-unreadable = NOT VERIFIED: { $reason }
verify-bad-ca = The TSA CA is not a PEM certificate: { $error }
verify-verified = VERIFIED
verify-verified-detail = every token, signature, certificate, hash and proof holds.
verify-not-verified = NOT VERIFIED
verify-failed-parts = failed: { $parts }
verify-col-result = Result
verify-col-part = Part
verify-col-detail = Detail
verify-holds = ✓ holds
verify-fails = ✗ fails
verify-another = Verify another
