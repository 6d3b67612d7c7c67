//! The delivery scheduler, started by `sigillo serve`.
//!
//! It scans the queue at start, after every enqueue and whenever a retry falls due, and gives
//! each due message to a task. A task delivers the message's pending recipients domain by
//! domain (at most `per_domain_concurrency` connections per domain across all tasks, at most
//! `max_concurrent` tasks), and after each domain rewrites the queue file with every
//! recipient's result *before* moving on: a kill -9 after a remote `250` and that write
//! loses nothing and re-sends nothing except that one transaction's window (RFC 5321 §6.1
//! accepts that duplicate; losing mail is not acceptable).
//!
//! A message leaves the queue only when every recipient has a final result. Temporary
//! failures are retried with exponential back-off ([`DeliverySettings::backoff`]) until
//! `max_lifetime_secs`, then they fail with a DSN ([`super::dsn`]).

use super::client::{self, Envelope, RcptOutcome, SessionError};
use super::dsn::{self, DsnKind};
use super::mx::{self, MxError};
use super::security::Security;
use super::{DeliveryReport, DeliverySettings};
use crate::Server;
use crate::queue::{QueuedEnvelope, QueuedRecipient, RecipientStatus};
use sigillo_core::Address;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{Semaphore, watch};

/// The longest sleep between two queue scans when nothing else wakes the scheduler.
const MAX_IDLE_SCAN: Duration = Duration::from_secs(60);

/// What a scan learnt from each queue file (its id and next attempt), valid while the
/// file's modification time and size are unchanged: the scheduler scans after every
/// enqueue, and without this it would unseal every queued message each time (quadratic
/// under load). Queue files are only ever replaced by rename, so a rewrite changes the stamp.
type ScanCache = HashMap<std::path::PathBuf, ((Option<std::time::SystemTime>, u64), String, i64)>;

/// Signs a message before it leaves (DKIM); returns the header fields to prepend.
pub type Signer = Arc<dyn Fn(&[u8]) -> Vec<u8> + Send + Sync>;

/// Told of each recipient's final result (delivered or failed) once it is saved in the queue
/// file; certified mail records it as evidence. Must not block (spawn the work).
pub type DeliveryObserver = Arc<dyn Fn(&QueuedEnvelope, &QueuedRecipient) + Send + Sync>;

pub struct Outbound {
    server: Arc<Server>,
    settings: DeliverySettings,
    signer: Option<Signer>,
    global: Arc<Semaphore>,
    domains: Mutex<HashMap<String, Arc<Semaphore>>>,
    in_flight: Mutex<HashSet<String>>,
    /// MTA-STS, DANE, REQUIRETLS and TLS-RPT.
    security: Security,
    /// The UTC day TLS-RPT reports were last sent for.
    reported_day: Mutex<Option<time::Date>>,
    observer: std::sync::OnceLock<DeliveryObserver>,
    scan_cache: Arc<Mutex<ScanCache>>,
}

impl Outbound {
    pub fn new(server: Arc<Server>, settings: DeliverySettings, signer: Option<Signer>) -> Arc<Self> {
        let security = Security::new(server.data.root(), &settings);
        Arc::new(Outbound {
            security,
            reported_day: Mutex::new(None),
            global: Arc::new(Semaphore::new(settings.max_concurrent)),
            server,
            settings,
            signer,
            domains: Mutex::new(HashMap::new()),
            in_flight: Mutex::new(HashSet::new()),
            observer: std::sync::OnceLock::new(),
            scan_cache: Arc::new(Mutex::new(HashMap::new())),
        })
    }

    /// Queues the TLS-RPT reports (RFC 8460) not sent yet: every finished UTC day, and with
    /// `include_today` today's results so far (on demand).
    pub async fn send_tls_reports(&self, include_today: bool) -> super::tls_rpt::Sent {
        super::tls_rpt::send_reports(&self.server, &self.security.rpt, include_today).await
    }

    /// Once per UTC day (and at start), the reports of the days that ended.
    fn daily_tls_reports(self: &Arc<Self>) {
        let today = time::OffsetDateTime::now_utc().date();
        let mut last = self.reported_day.lock().unwrap_or_else(|p| p.into_inner());
        if *last == Some(today) {
            return;
        }
        *last = Some(today);
        let this = Arc::clone(self);
        tokio::spawn(async move {
            this.send_tls_reports(false).await;
        });
    }

    /// Sets the one [`DeliveryObserver`] (later calls are ignored).
    pub fn set_observer(&self, observer: DeliveryObserver) {
        let _ = self.observer.set(observer);
    }

    fn observe(&self, envelope: &QueuedEnvelope, indexes: impl IntoIterator<Item = usize>) {
        if let Some(observer) = self.observer.get() {
            indexes.into_iter().filter(|&i| envelope.recipients[i].is_final()).for_each(|i| observer(envelope, &envelope.recipients[i]));
        }
    }

    /// Runs until `stop` turns true; deliveries in progress finish on their own tasks.
    pub async fn run(self: Arc<Self>, mut stop: watch::Receiver<bool>) {
        tracing::info!(remote_port = self.settings.remote_port, "outbound delivery started");
        loop {
            self.daily_tls_reports();
            let wait = match self.scan().await {
                Ok(wait) => wait,
                Err(e) => {
                    tracing::error!(error = %e, "cannot scan the queue");
                    MAX_IDLE_SCAN
                }
            };
            tokio::select! {
                _ = self.server.queue.enqueued() => {}
                _ = tokio::time::sleep(wait) => {}
                _ = stop.changed() => {}
            }
            if *stop.borrow() {
                tracing::info!("outbound delivery stopped");
                return;
            }
        }
    }

    /// Starts a task for every due message; returns how long until the next one is due.
    async fn scan(self: &Arc<Self>) -> Result<Duration, crate::SmtpError> {
        let queue = Arc::clone(&self.server.queue);
        let cache = Arc::clone(&self.scan_cache);
        let entries = tokio::task::spawn_blocking(move || -> Result<Vec<(String, i64)>, crate::SmtpError> {
            let mut cache = cache.lock().unwrap_or_else(|p| p.into_inner());
            let listed = queue.list()?;
            cache.retain(|path, _| listed.binary_search(path).is_ok());
            let mut out = Vec::new();
            for path in listed {
                // Gone since the listing: a delivery task finished it and removed it.
                let Ok(meta) = std::fs::metadata(&path) else { continue };
                let stamp = (meta.modified().ok(), meta.len());
                if let Some((seen, id, next)) = cache.get(&path)
                    && seen.0.is_some()
                    && *seen == stamp
                {
                    out.push((id.clone(), *next));
                    continue;
                }
                match queue.read(&path) {
                    Ok((env, _)) => {
                        cache.insert(path, (stamp, env.id.clone(), env.next_attempt));
                        out.push((env.id, env.next_attempt));
                    }
                    Err(_) if !path.exists() => {}
                    Err(e) => tracing::error!(path = %path.display(), error = %e, "unreadable queue file; left in place"),
                }
            }
            Ok(out)
        })
        .await
        .map_err(|e| crate::SmtpError::Queue(e.to_string()))??;
        let now = sigillo_core::clock::unix_now();
        let mut wait = MAX_IDLE_SCAN;
        for (id, next) in entries {
            if next > now {
                wait = wait.min(Duration::from_secs((next - now) as u64));
                continue;
            }
            if !self.lock_in_flight().insert(id.clone()) {
                continue;
            }
            let this = Arc::clone(self);
            tokio::spawn(async move {
                let permit = Arc::clone(&this.global).acquire_owned().await;
                if let Err(e) = this.process(&id).await {
                    tracing::error!(id, error = %e, "delivery attempt failed; will retry");
                }
                drop(permit);
                this.lock_in_flight().remove(&id);
                // A finished task may have made room or changed what is due.
                this.server.queue.wakeup_scheduler();
            });
        }
        Ok(wait)
    }

    fn lock_in_flight(&self) -> std::sync::MutexGuard<'_, HashSet<String>> {
        self.in_flight.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn domain_limit(&self, domain: &str) -> Arc<Semaphore> {
        let mut map = self.domains.lock().unwrap_or_else(|p| p.into_inner());
        Arc::clone(map.entry(domain.to_string()).or_insert_with(|| Arc::new(Semaphore::new(self.settings.per_domain_concurrency))))
    }

    async fn blocking<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Server) -> Result<T, crate::SmtpError> + Send + 'static,
    ) -> Result<T, crate::SmtpError> {
        let server = Arc::clone(&self.server);
        tokio::task::spawn_blocking(move || f(&server)).await.map_err(|e| crate::SmtpError::Queue(e.to_string()))?
    }

    /// One attempt at every pending recipient of message `id`.
    async fn process(&self, id: &str) -> Result<(), crate::SmtpError> {
        let path = self.server.queue.path_of(id)?;
        // A scan that listed this message while an earlier task still had it can start a
        // task after that one finished: the message may be gone (done) or rescheduled.
        if !path.exists() {
            return Ok(());
        }
        let (mut envelope, message) = self.blocking(move |s| s.queue.read(&path)).await?;
        let message = Arc::new(message);
        let now = sigillo_core::clock::unix_now();
        if envelope.next_attempt > now {
            return Ok(());
        }
        let expired = now.saturating_sub(envelope.received_at) as u64 >= self.settings.max_lifetime_secs;

        if !expired {
            let signed = self.sign(&message);
            let mut by_domain: BTreeMap<String, Vec<usize>> = BTreeMap::new();
            for (i, r) in envelope.recipients.iter().enumerate() {
                if !r.is_final() {
                    let domain = r.address.rsplit_once('@').map(|(_, d)| d.to_ascii_lowercase()).unwrap_or_default();
                    by_domain.entry(domain).or_default().push(i);
                }
            }
            for (domain, indexes) in by_domain {
                let addresses: Vec<String> = indexes.iter().map(|&i| envelope.recipients[i].address.clone()).collect();
                let outcomes = self.deliver_domain(&domain, &envelope, &addresses, &signed).await;
                for (&i, outcome) in indexes.iter().zip(outcomes) {
                    let r = &mut envelope.recipients[i];
                    r.attempts = r.attempts.saturating_add(1);
                    match outcome {
                        RcptOutcome::Delivered(report) => {
                            tracing::info!(id, rcpt = r.address, mx = report.mx_host, ip = report.mx_ip, tls = ?report.tls_version,
                                cipher = ?report.tls_cipher, cert_sha256 = ?report.peer_cert_sha256, cert_verified = report.cert_verified,
                                policy = report.tls_policy, policy_failure = ?report.tls_policy_failure, reply = report.reply, "delivered");
                            r.status = RecipientStatus::Delivered;
                            r.last_reply = Some(report.reply.clone());
                            r.report = Some(report);
                        }
                        RcptOutcome::Permanent(reply, report) => {
                            tracing::info!(id, rcpt = r.address, reply, "permanent failure");
                            r.status = RecipientStatus::Failed;
                            r.last_reply = Some(reply);
                            r.report = report;
                        }
                        RcptOutcome::Temporary(reply) => {
                            tracing::info!(id, rcpt = r.address, attempts = r.attempts, reply, "temporary failure; will retry");
                            r.last_reply = Some(reply);
                        }
                    }
                }
                self.save(&envelope, &message).await?;
                self.observe(&envelope, indexes);
            }
        } else {
            let pending: Vec<usize> = (0..envelope.recipients.len()).filter(|&i| !envelope.recipients[i].is_final()).collect();
            for r in envelope.recipients.iter_mut().filter(|r| !r.is_final()) {
                r.status = RecipientStatus::Failed;
                let last = r.last_reply.take().unwrap_or_else(|| "no attempt succeeded".into());
                r.last_reply = Some(format!("{last} (gave up after {} s in the queue)", self.settings.max_lifetime_secs));
            }
            tracing::info!(id, "message expired in the queue");
            self.observe(&envelope, pending);
        }

        // One failure DSN for every recipient that failed and has none yet, including those of
        // an attempt a crash interrupted (their status was saved first): after a crash a DSN
        // may come twice, but never not at all.
        let failed: Vec<usize> = (0..envelope.recipients.len())
            .filter(|&i| envelope.recipients[i].status == RecipientStatus::Failed && !envelope.recipients[i].dsn_done)
            .collect();
        if !failed.is_empty() {
            self.send_dsn(&envelope, &failed, DsnKind::Failed, &message).await;
            failed.iter().for_each(|&i| envelope.recipients[i].dsn_done = true);
        }

        if envelope.recipients.iter().all(QueuedRecipient::is_final) {
            let id = envelope.id.clone();
            self.blocking(move |s| s.queue.remove(&id)).await?;
            tracing::info!(id = envelope.id, "all recipients done; removed from the queue");
            return Ok(());
        }
        let attempts = envelope.recipients.iter().filter(|r| !r.is_final()).map(|r| r.attempts).max().unwrap_or(1);
        let now = sigillo_core::clock::unix_now();
        envelope.next_attempt = now.saturating_add(self.settings.backoff(attempts) as i64);
        if !envelope.delay_dsn_sent && now.saturating_sub(envelope.received_at) as u64 >= self.settings.delay_dsn_after_secs {
            let pending: Vec<usize> = (0..envelope.recipients.len()).filter(|&i| !envelope.recipients[i].is_final()).collect();
            self.send_dsn(&envelope, &pending, DsnKind::Delayed, &message).await;
            envelope.delay_dsn_sent = true;
        }
        self.save(&envelope, &message).await
    }

    async fn save(&self, envelope: &QueuedEnvelope, message: &Arc<Vec<u8>>) -> Result<(), crate::SmtpError> {
        let envelope = envelope.clone();
        let message = Arc::clone(message);
        self.blocking(move |s| s.queue.update(&envelope, &message).map(|_| ())).await
    }

    fn sign(&self, message: &[u8]) -> Vec<u8> {
        match &self.signer {
            Some(sign) => {
                let mut out = sign(message);
                out.extend_from_slice(message);
                out
            }
            None => message.to_vec(),
        }
    }

    /// One attempt for the recipients in `domain`: the MX hosts in order, each address,
    /// until one host gives per-recipient answers.
    async fn deliver_domain(&self, domain: &str, envelope: &QueuedEnvelope, rcpts: &[String], message: &[u8]) -> Vec<RcptOutcome> {
        let all = |o: RcptOutcome| vec![o; rcpts.len()];
        let limit = self.domain_limit(domain);
        let Ok(_permit) = limit.acquire().await else {
            return all(RcptOutcome::Temporary("scheduler closed".into()));
        };
        let resolver = self.server.inbound_auth.resolver();
        let hosts = match mx::mx_hosts(resolver, domain).await {
            Ok(h) => h,
            Err(MxError::Permanent(why)) => return all(RcptOutcome::Permanent(format!("550 5.1.2 {why}"), None)),
            Err(e @ MxError::Temporary(..)) => return all(RcptOutcome::Temporary(format!("451 4.4.3 {e}"))),
        };
        let wanted = Envelope {
            helo: &self.server.hostname,
            mail_from: &envelope.mail_from,
            recipients: rcpts,
            message,
            eight_bit: envelope.eight_bit,
            smtputf8: envelope.smtputf8,
        };
        let policy = self.security.domain_policy(resolver, domain, envelope.requiretls, message).await;
        let mut last = format!("451 4.4.1 no host of {domain} could be reached");
        // RFC 8689 §4.2.1: a REQUIRETLS message no host could take securely is returned.
        let mut requiretls_refused = false;
        for host in hosts {
            // Enforced: the host is skipped (and recorded); testing: the session goes on and
            // carries the mismatch as its failure.
            let mismatch = policy.mx_mismatch(&host);
            if let Some((failure, true)) = &mismatch {
                self.security.record_mx_mismatch(&policy, &host, failure);
                tracing::info!(domain, host, "MX host not allowed by the MTA-STS policy (enforce)");
                last = format!("451 4.7.5 {}", failure.detail);
                continue;
            }
            let ips = match mx::addresses(resolver, &host).await {
                Ok(ips) => ips,
                Err(e) => {
                    last = format!("451 4.4.3 {e}");
                    continue;
                }
            };
            let tlsa = match self.security.tlsa(&host, self.settings.remote_port).await {
                Ok(t) => t,
                Err(e) => {
                    // RFC 7672 §2.2.1: a failed (not merely insecure) TLSA lookup: try later.
                    last = format!("451 4.7.5 {e}");
                    continue;
                }
            };
            let requirement = policy.requirement(self.security.pkix.as_ref(), &tlsa);
            for ip in ips {
                let mut tls = client::SessionTls::default();
                let result =
                    client::deliver(&host, ip, self.settings.remote_port, self.settings.timeout, &wanted, &requirement, &mut tls).await;
                self.security.record(&policy, &tlsa, &host, ip, &tls, result.as_ref().err());
                match result {
                    Ok(outcomes) => return outcomes,
                    Err(SessionError::Permanent(reply)) => {
                        let report = DeliveryReport {
                            mx_host: host.clone(),
                            mx_ip: ip.to_string(),
                            tls_version: tls.version,
                            tls_cipher: tls.cipher,
                            peer_cert_sha256: tls.cert_sha256,
                            cert_verified: tls.verified,
                            reply: reply.clone(),
                            at: sigillo_core::clock::unix_now(),
                            tls_policy: requirement.kind.label().to_string(),
                            tls_policy_failure: tls.failure.map(|f| f.to_string()),
                        };
                        return all(RcptOutcome::Permanent(reply, Some(report)));
                    }
                    Err(SessionError::Policy(failure)) => {
                        tracing::info!(domain, host, %ip, policy = requirement.kind.label(), %failure, "transport-security policy not met");
                        requiretls_refused |= policy.requiretls;
                        last = format!("451 4.7.5 {failure}");
                    }
                    Err(SessionError::Temporary(why)) => {
                        tracing::debug!(host, %ip, why, "host failed; trying the next");
                        last = why;
                    }
                }
            }
        }
        if requiretls_refused {
            return all(RcptOutcome::Permanent(
                format!(
                    "550 5.7.30 REQUIRETLS: no MX host of {domain} offered TLS with a verified certificate and REQUIRETLS (last: {last})"
                ),
                None,
            ));
        }
        all(RcptOutcome::Temporary(last))
    }

    /// Sends one DSN about `indexes` to the envelope sender, if they want one.
    async fn send_dsn(&self, envelope: &QueuedEnvelope, indexes: &[usize], kind: DsnKind, message: &[u8]) {
        let about: Vec<&QueuedRecipient> =
            indexes.iter().map(|&i| &envelope.recipients[i]).filter(|r| dsn::wanted(envelope, r, kind)).collect();
        if about.is_empty() {
            return;
        }
        let Ok(dsn_id) = sigillo_crypto::random::hex_id() else {
            tracing::error!(id = envelope.id, "no randomness for a DSN id");
            return;
        };
        let body = dsn::build(&self.server.hostname, envelope, &about, kind, message, &dsn_id);
        let Ok(sender) = envelope.mail_from.parse::<Address>() else {
            tracing::warn!(id = envelope.id, sender = envelope.mail_from, "sender address unusable; no DSN");
            return;
        };
        let server = Arc::clone(&self.server);
        let id = envelope.id.clone();
        let requiretls = envelope.requiretls;
        let result = self.server.gate.directories.run(move |dir| deliver_dsn(&server, dir, &sender, &dsn_id, body, requiretls)).await;
        match result {
            Ok(Ok(where_to)) => tracing::info!(id, kind = ?kind, where_to, "DSN sent"),
            Ok(Err(e)) => tracing::error!(id, error = %e, "cannot send a DSN"),
            Err(e) => tracing::error!(id, error = %e, "cannot send a DSN"),
        }
    }
}

/// A DSN goes through the server's notice route (local INBOX or the queue).
fn deliver_dsn(
    server: &Server,
    dir: &sigillo_store::Directory,
    sender: &Address,
    dsn_id: &str,
    body: Vec<u8>,
    requiretls: bool,
) -> Result<&'static str, String> {
    let route = crate::notice::NoticeRoute {
        data: &server.data,
        directory: dir,
        keyring: &server.gate.keyring,
        queue: &server.queue,
        hostname: &server.hostname,
        max_message_size: server.limits.max_message_size,
    };
    let sent = route.send(sender, dsn_id.to_string(), &body, requiretls, sigillo_core::clock::unix_now()).map_err(|e| e.to_string())?;
    Ok(sent.describe())
}
