"""Many IMAP logins of one account at the same moment, as a mail client opening several
connections does (tests/connection_limits.rs): every one must succeed, none may be taken
for a guess. Prints OK."""
import imaplib, ssl, sys, threading

imaps, user, password, count = int(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4])
ctx = ssl.create_default_context()
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE

connections = [imaplib.IMAP4_SSL("127.0.0.1", imaps, ssl_context=ctx) for _ in range(count)]
start = threading.Barrier(count)
results = [None] * count

def login(i):
    start.wait()
    try:
        results[i] = connections[i].login(user, password)[0]
    except imaplib.IMAP4.error as e:
        results[i] = str(e)

threads = [threading.Thread(target=login, args=(i,)) for i in range(count)]
for t in threads:
    t.start()
for t in threads:
    t.join()
for m in connections:
    try:
        m.logout()
    except Exception:
        pass
refused = [r for r in results if r != "OK"]
assert not refused, f"{len(refused)} of {count} parallel logins refused: {refused}"
print("OK")
