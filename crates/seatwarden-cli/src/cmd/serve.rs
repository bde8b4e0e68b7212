//! `seatwarden serve`: the standalone host.
//!
//! The same admin API and UI the plugins serve, on 127.0.0.1, over the
//! embedded SQLite store and the embedded SQLite directory, both in one
//! data folder (`store.db`, `directory.db`). It is what a newcomer runs
//! first (`--demo` seeds a realistic organisation on first start), what the
//! browser tests drive, and where an admin previews policies.
//!
//! It is not an open port: it binds loopback only and prints a one-time
//! admin token that `POST /session` exchanges for a session (see
//! `serve/auth.rs`). Background work runs on host-owned threads
//! (`serve/workers.rs`); Ctrl-C or SIGTERM stops accepting requests, lets
//! the running slice finish and exits — interrupted runs resume on the next
//! start because the service journals them.

mod assets;
mod auth;
mod clock;
mod cloud;
pub(crate) mod folder;
mod http;
mod stream;
mod workers;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use seatwarden_core::model::UserKey;
use seatwarden_core::operation::{Operation, OperationFailure};
use seatwarden_core::snapshot::{SnapshotHeader, SnapshotUser};
use seatwarden_core::time::Millis;
use seatwarden_directory_sqlite::SqliteDirectory;
use seatwarden_service::host::{Applied, Host, HostError, UsersPage};
use seatwarden_service::{Service, ServiceOptions};
use seatwarden_store_sqlite::SqliteStore;

use crate::cmd::support::CliError;

pub(crate) use clock::Clock;

pub(crate) use folder::{DataFolder, STORE_FILE};

/// Arguments of `seatwarden serve`.
#[derive(clap::Args)]
pub(crate) struct Args {
    /// The data folder: the store and the embedded directory live here
    /// (default `seatwarden-data`; `seatwarden-preview` with `--snapshot`).
    #[arg(long)]
    data: Option<PathBuf>,
    /// The port on 127.0.0.1 (0 picks a free one).
    #[arg(long, default_value_t = 2990)]
    port: u16,
    /// Seed the demo organisation on first start (an empty directory).
    #[arg(long)]
    demo: bool,
    /// How many users the demo organisation has (5,000; 20,000 with `--cloud`).
    #[arg(long)]
    users: Option<usize>,
    /// With `--demo`: run on the Cloud connector against a fake Atlassian
    /// Cloud (a generated organization served on a loopback port).
    #[arg(long)]
    cloud: bool,
    /// Run on the Cloud connector against a real Atlassian Cloud
    /// organization: a JSON file (mode 0600) with `orgId`, `apiKey`,
    /// `siteUrl`, `siteEmail`, `siteToken` (docs/cloud.md).
    #[arg(long, conflicts_with_all = ["demo", "cloud"])]
    cloud_connection: Option<PathBuf>,
    /// The demo organisation also declares a "seen" activity signal that
    /// started recording this many days ago (as if the plugin had been
    /// installed then), so the dashboard's signals panel and the warm-up rule
    /// have one to show. Without it the demo knows logins only.
    #[arg(long, requires = "demo")]
    demo_seen_days: Option<u32>,
    /// Preview-only mode over this file: a snapshot (JSON), an Atlassian
    /// cloud user export or a Seatwarden users export (CSV). Policies can
    /// be written and previewed on these users; nothing is applied,
    /// scheduled or mailed (docs/standalone.md, "Preview on your own users").
    #[arg(long, conflicts_with_all = ["demo", "cloud", "cloud_connection"])]
    snapshot: Option<PathBuf>,
    /// Seconds between scheduler ticks (due policies, resumed runs, mail queue).
    #[arg(long, default_value_t = 60.0)]
    tick_seconds: f64,
    /// Seconds between mail deliveries.
    #[arg(long, default_value_t = 10.0)]
    mail_seconds: f64,
    /// The built admin UI.
    #[arg(long, default_value = "ui/dist")]
    ui_dir: PathBuf,
    /// Test only: read "now" (UTC ms) from this file instead of the clock.
    #[arg(long, hide = true)]
    clock_file: Option<PathBuf>,
    /// Test only: sleep this long before every directory write.
    #[arg(long, hide = true, default_value_t = 0)]
    slow_apply_ms: u64,
    /// Test only: actions per background slice.
    #[arg(long, hide = true)]
    slice_size: Option<usize>,
    /// Test only: this node's lease identity (default: the data folder's,
    /// kept in its `node-id` file).
    #[arg(long, hide = true)]
    node_id: Option<String>,
    /// Test only: do not lock the data folder (the two-node lease test runs
    /// two servers on one folder on purpose; never do this otherwise).
    #[arg(long, hide = true)]
    shared_data_folder: bool,
    /// Recovery when the secret key is lost: remove the stored SMTP password
    /// that no longer opens (the rest of the configuration stays), then type
    /// it again in Settings. See docs/standalone.md, "Secrets at rest".
    #[arg(long)]
    forget_smtp_password: bool,
}

/// How a command uses the data folder.
#[derive(Clone, Debug)]
pub(crate) enum Access {
    /// The server: the folder is locked for it alone; the node id is the
    /// folder's unless one is given.
    Exclusive {
        /// A node id given on the command line.
        node_id: Option<String>,
    },
    /// A short command beside a running server (or the two-node test):
    /// no lock; the caller's node id.
    Shared,
}

/// A host that waits before each write (test only: lets a crash test
/// interrupt a run of a few thousand users at a random point).
struct SlowHost {
    inner: Arc<SqliteDirectory>,
    delay: Duration,
}

impl Host for SlowHost {
    fn header(&self) -> Result<SnapshotHeader, HostError> {
        self.inner.header()
    }
    fn users_page(&self, cursor: Option<&str>, limit: usize) -> Result<UsersPage, HostError> {
        self.inner.users_page(cursor, limit)
    }
    fn user(&self, key: &UserKey) -> Result<Option<SnapshotUser>, HostError> {
        self.inner.user(key)
    }
    fn user_by_username(&self, username: &str) -> Result<Option<SnapshotUser>, HostError> {
        self.inner.user_by_username(username)
    }
    fn record_login(&self, username: &str, at: Millis) -> Result<Option<UserKey>, HostError> {
        self.inner.record_login(username, at)
    }
    fn replace_directory(
        &self,
        snapshot: &seatwarden_core::snapshot::SnapshotFile,
    ) -> Result<(), HostError> {
        self.inner.replace_directory(snapshot)
    }
    fn apply(&self, operation: &Operation) -> Result<Applied, OperationFailure> {
        std::thread::sleep(self.delay);
        self.inner.apply(operation)
    }
}

/// The directory, store and service over one data folder.
pub(crate) struct Opened {
    /// The folder (its lock is held while this lives).
    pub(crate) folder: DataFolder,
    /// The embedded directory.
    pub(crate) directory: Arc<SqliteDirectory>,
    /// The application.
    pub(crate) service: Arc<Service>,
}

/// The marker file of a data folder that a preview-only server owns: its
/// directory is replaced by the loaded file at every start, so a folder
/// without it (a real directory) is never used for a preview, and a folder
/// with it is never served as a real one.
pub(crate) const PREVIEW_MARKER: &str = "preview-only";

/// What a start puts into the directory.
pub(crate) enum Seed {
    /// The demo organisation, into a folder holding no data.
    Demo(DemoSeed),
    /// A loaded file, replacing the directory of a preview folder.
    Preview(Box<PreviewSeed>),
}

/// The file `serve --snapshot` loaded, and how the audit log describes it.
pub(crate) struct PreviewSeed {
    /// The directory it holds.
    pub(crate) snapshot: seatwarden_core::snapshot::SnapshotFile,
    /// "Loaded 1,204 users and 31 groups from … (`users.csv`, at start)".
    pub(crate) description: String,
}

/// The demo organisation `serve --demo` seeds into an empty folder.
#[derive(Clone, Copy, Debug)]
pub(crate) struct DemoSeed {
    /// How many users.
    pub(crate) users: usize,
    /// Declare a `seen` signal recording since this many days ago.
    pub(crate) seen_since_days: Option<u32>,
}

/// Opens the data folder `data` with `clock` (checked and, for
/// [`Access::Exclusive`], locked: see `serve/folder.rs`); seeds the `demo`
/// organisation if asked and the folder holds no data.
pub(crate) fn open(
    data: &std::path::Path,
    clock: &Clock,
    demo: Option<DemoSeed>,
    slow_apply: Duration,
    options: ServiceOptions,
    access: Access,
) -> Result<Opened, CliError> {
    open_with_host(
        data,
        clock,
        demo.map(Seed::Demo),
        slow_apply,
        options,
        access,
        None,
    )
}

/// [`open`], with the service on `host` instead of the folder's embedded
/// directory when one is given (the Cloud connector); the embedded
/// directory is then opened but neither seeded nor used.
pub(crate) fn open_with_host(
    data: &std::path::Path,
    clock: &Clock,
    seed: Option<Seed>,
    slow_apply: Duration,
    mut options: ServiceOptions,
    access: Access,
    host: Option<Arc<dyn Host>>,
) -> Result<Opened, CliError> {
    let demo = match &seed {
        Some(Seed::Demo(d)) => Some(*d),
        _ => None,
    };
    let folder = DataFolder::open(data, demo.is_some(), matches!(access, Access::Shared))?;
    let marker = data.join(PREVIEW_MARKER);
    match &seed {
        Some(Seed::Preview(_)) if !folder.is_fresh() && !marker.exists() => {
            return Err(CliError::Usage(format!(
                "`{}` holds a directory that changes are applied to; `--snapshot` replaces the \
                 directory at every start, so it needs a folder of its own (leave out `--data` \
                 to use `seatwarden-preview`)",
                data.display()
            )));
        }
        Some(Seed::Preview(_)) => {
            std::fs::write(
                &marker,
                b"this folder belongs to `seatwarden serve --snapshot`\n",
            )
            .map_err(|e| CliError::io(&marker, e))?;
        }
        _ if marker.exists() => {
            return Err(CliError::Usage(format!(
                "`{}` is a preview folder (its directory is a loaded file): start it with \
                 `--snapshot FILE`, or use another `--data` folder",
                data.display()
            )));
        }
        _ => {}
    }
    if let Access::Exclusive { node_id } = access {
        options.node_id = node_id.unwrap_or_else(|| folder.node_id().to_owned());
    }
    if options.secret_key.is_none() {
        options.secret_key = Some(folder::secret_key(data)?);
    }
    let directory = Arc::new(SqliteDirectory::open_in(data).map_err(CliError::engine)?);
    let c = clock.clone();
    directory.set_clock(move || c.now());
    let mut demo_seeded = false;
    if let Some(DemoSeed {
        users,
        seen_since_days,
    }) = demo.filter(|_| host.is_none())
    {
        if folder.is_fresh() && directory.is_empty().map_err(CliError::engine)? {
            let snapshot = seatwarden_demo::generate(&seatwarden_demo::DemoOptions {
                users,
                taken_at: clock.now(),
                seen_since_days,
                ..seatwarden_demo::DemoOptions::default()
            });
            if directory.seed(&snapshot).map_err(CliError::engine)? {
                println!("seeded the demo organisation: {users} users");
                demo_seeded = true;
            }
        }
    }
    if let Some(Seed::Preview(preview)) = &seed {
        let snapshot = &preview.snapshot;
        directory.replace_all(snapshot).map_err(CliError::engine)?;
        let users: usize = snapshot.pages.iter().map(|p| p.users.len()).sum();
        println!("preview only: loaded {users} users; nothing will be applied");
    }
    let store = Arc::new(SqliteStore::open(data.join(STORE_FILE)).map_err(CliError::engine)?);
    let host: Arc<dyn Host> = if let Some(host) = host {
        host
    } else if slow_apply.is_zero() {
        directory.clone()
    } else {
        Arc::new(SlowHost {
            inner: directory.clone(),
            delay: slow_apply,
        })
    };
    let service = Arc::new(Service::new(host, store, options).map_err(CliError::engine)?);
    if let Some(Seed::Preview(preview)) = &seed {
        // Every start replaces the previewed users: the log says with what (issue 24).
        let entry = seatwarden_audit::AuditEntry::new(
            clock.now(),
            seatwarden_audit::Actor::system(),
            seatwarden_audit::Action::DirectoryLoaded,
            seatwarden_audit::Status::Success,
        )
        .with_description(preview.description.clone());
        service
            .store()
            .append_audit(&[entry])
            .map_err(CliError::engine)?;
    }
    if demo_seeded {
        seed_demo_trend(&service, clock.now())?;
    }
    Ok(Opened {
        folder,
        directory,
        service,
    })
}

/// Days of made-up activity trend the demo organisation starts with.
const DEMO_TREND_DAYS: u32 = 90;

/// Records today's licence history and activity trend for a fresh demo
/// organisation, and the trend's made-up past days before it
/// (`seatwarden_demo::trend`, each marked `demo`), so the dashboard shows a
/// trend on the first start.
fn seed_demo_trend(service: &Service, now: Millis) -> Result<(), CliError> {
    service
        .record_licence_history(now)
        .map_err(CliError::engine)?;
    let today = now.day_number();
    let Some(first) = service
        .activity_history(today, today)
        .map_err(CliError::engine)?
        .pop()
    else {
        return Ok(());
    };
    let past = seatwarden_demo::trend::past_activity(
        &first,
        DEMO_TREND_DAYS,
        seatwarden_demo::DemoOptions::default().seed,
    );
    let keep = today - i64::from(seatwarden_core::forecast::RETENTION_DAYS);
    service
        .store()
        .put_activity_days(&past, keep)
        .map_err(CliError::engine)?;
    println!("seeded {DEMO_TREND_DAYS} days of demo activity trend");
    Ok(())
}

fn seconds(value: f64, name: &str) -> Result<Duration, CliError> {
    Duration::try_from_secs_f64(value)
        .ok()
        .filter(|d| !d.is_zero())
        .ok_or_else(|| CliError::Usage(format!("`--{name}` must be a positive number of seconds")))
}

/// Ctrl-C and SIGTERM, installed before the server says it is running.
///
/// Installed up front rather than on the first poll of the shutdown future:
/// otherwise a SIGTERM sent as soon as the URL is printed (a supervisor, a
/// test) meets the default action and kills the process instead of stopping
/// it cleanly.
struct StopSignals {
    #[cfg(unix)]
    terminate: tokio::signal::unix::Signal,
    #[cfg(unix)]
    interrupt: tokio::signal::unix::Signal,
}

impl StopSignals {
    fn install(runtime: &tokio::runtime::Runtime) -> std::io::Result<StopSignals> {
        let _entered = runtime.enter();
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            Ok(StopSignals {
                terminate: signal(SignalKind::terminate())?,
                interrupt: signal(SignalKind::interrupt())?,
            })
        }
        #[cfg(not(unix))]
        Ok(StopSignals {})
    }

    /// Waits for whichever signal comes first.
    async fn recv(mut self) {
        #[cfg(unix)]
        std::future::poll_fn(|cx| {
            if self.terminate.poll_recv(cx).is_ready() || self.interrupt.poll_recv(cx).is_ready() {
                std::task::Poll::Ready(())
            } else {
                std::task::Poll::Pending
            }
        })
        .await;
        #[cfg(not(unix))]
        {
            let _ = &mut self;
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}

/// Reads the file of `--snapshot` (any of the kinds
/// [`seatwarden_csv::preview_source`] accepts), its problems in words.
fn load_preview(path: &std::path::Path, clock: &Clock) -> Result<PreviewSeed, CliError> {
    use seatwarden_csv::preview_source::{SourceError, read_preview_source};
    let bytes = crate::cmd::support::read_file(path)?;
    match read_preview_source(&bytes, clock.now()) {
        Ok(loaded) => {
            println!(
                "preview only: read {} as {}",
                path.display(),
                loaded.kind.as_str()
            );
            // The file's name only: its folder may name the person who saved it.
            let name = path
                .file_name()
                .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
            Ok(PreviewSeed {
                description: format!("{} (`{name}`, at start)", loaded.describe()),
                snapshot: loaded.snapshot,
            })
        }
        Err(SourceError::Rejected(rejected)) => Err(CliError::Engine(format!(
            "{}: {}\n{}",
            path.display(),
            rejected,
            rejected.0
        ))),
        Err(e) => Err(CliError::Engine(format!("{}: {e}", path.display()))),
    }
}

/// Runs the server until Ctrl-C or SIGTERM.
pub(crate) fn run(args: &Args) -> Result<(), CliError> {
    let tick = seconds(args.tick_seconds, "tick-seconds")?;
    let mail = seconds(args.mail_seconds, "mail-seconds")?;
    let clock = match &args.clock_file {
        Some(path) => Clock::File(Arc::new(path.clone())),
        None => Clock::System,
    };
    let listener = std::net::TcpListener::bind(("127.0.0.1", args.port))
        .map_err(|e| CliError::Usage(format!("cannot listen on 127.0.0.1:{}: {e}", args.port)))?;
    let address = listener
        .local_addr()
        .map_err(|e| CliError::Usage(format!("cannot read the listening address: {e}")))?;
    let url = format!("http://{address}/");
    let mut options = ServiceOptions {
        instance_name: "Seatwarden".to_owned(),
        base_url: url.clone(),
        product: "standalone".to_owned(),
        demo: args.demo,
        // Replaced by the folder's own id unless `--node-id` or a shared folder.
        node_id: args
            .node_id
            .clone()
            .unwrap_or_else(|| format!("serve-{}-{}", std::process::id(), auth::random_hex(4))),
        ..ServiceOptions::default()
    };
    if let Some(n) = args.slice_size {
        options.slice_size = n.max(1);
    }
    options.preview_only = args.snapshot.is_some();
    options.forget_sealed_password = args.forget_smtp_password;
    let data = args.data.clone().unwrap_or_else(|| {
        PathBuf::from(if args.snapshot.is_some() {
            "seatwarden-preview"
        } else {
            "seatwarden-data"
        })
    });
    // Read before the folder is touched: a bad file changes nothing.
    let preview = match &args.snapshot {
        Some(path) => Some(load_preview(path, &clock)?),
        None => None,
    };
    if args.cloud && !args.demo {
        return Err(CliError::Usage(
            "`--cloud` needs `--demo` for now: it runs on a fake Atlassian Cloud; connecting \
             a real organization comes with the connection screen (docs/cloud.md)"
                .to_owned(),
        ));
    }
    let users = args
        .users
        .unwrap_or(if args.cloud { 20_000 } else { 5_000 });
    // The connection (and the fake Atlassian Cloud of the demo) lives as
    // long as the server.
    // A connection saved on the connection screen is used at the next
    // start, like one named with `--cloud-connection`.
    let saved = data.join(cloud::CONNECTION_FILE);
    let cloud = if args.cloud {
        Some(cloud::start_demo(users, &clock)?)
    } else if let Some(file) = &args.cloud_connection {
        Some(cloud::connect(file, &clock)?)
    } else if !args.demo && args.snapshot.is_none() && saved.is_file() {
        Some(cloud::connect(&saved, &clock)?)
    } else {
        None
    };
    let seed = match preview {
        Some(preview) => Some(Seed::Preview(Box::new(preview))),
        None => args.demo.then_some(Seed::Demo(DemoSeed {
            users,
            seen_since_days: args.demo_seen_days,
        })),
    };
    let opened = open_with_host(
        &data,
        &clock,
        seed,
        Duration::from_millis(args.slow_apply_ms),
        options,
        if args.shared_data_folder {
            Access::Shared
        } else {
            Access::Exclusive {
                node_id: args.node_id.clone(),
            }
        },
        cloud.as_ref().map(|c| c.host()),
    )?;
    opened
        .service
        .set_cloud_connections(Arc::new(cloud::Connections::new(
            &data,
            args.cloud_connection.as_deref(),
            cloud.as_ref(),
            &clock,
        )));
    // The index is built in the background (issue 19): the server answers
    // at once, the Users tab's default first pages straight from the
    // directory (`indexing: true`), everything else as soon as the index
    // is ready. Announced before the server listens, so no request can
    // start the build itself.
    let build = opened.service.build_index_in_background();
    std::thread::Builder::new()
        .name("seatwarden-index".into())
        .spawn(move || {
            if let Err(e) = build.run() {
                eprintln!("building the directory index failed: {e}");
            }
        })
        .map_err(|e| CliError::Usage(format!("cannot start the index build: {e}")))?;
    // Only the sysadmins are wanted: where the host offers the header
    // without a seat recount (most of a second at 1M users, spent before
    // the server could listen), that one.
    let host = opened.service.host();
    let header = match host.first_users_by_username(0) {
        Some(Ok(first)) => first.header,
        _ => host.header().map_err(CliError::engine)?,
    };
    let actor = header
        .sysadmins
        .first()
        .map_or_else(|| "seatwarden-admin".to_owned(), |k| k.0.to_string());
    let auth = Arc::new(auth::Auth::new(actor, address.port()));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| CliError::Usage(format!("cannot start the async runtime: {e}")))?;
    let stop = StopSignals::install(&runtime)
        .map_err(|e| CliError::Usage(format!("cannot listen for stop signals: {e}")))?;
    println!("Node id: {}", opened.folder.node_id());
    println!("Seatwarden is running at {url}");
    println!("Admin token: {}", auth.token());
    println!("Sign in at {url}#token={}", auth.token());
    use std::io::Write as _;
    let _ = std::io::stdout().flush();

    let workers = workers::Workers::start(&opened.service, &clock, tick, mail)
        .map_err(|e| CliError::Usage(format!("cannot start the background workers: {e}")))?;
    let state = http::AppState {
        service: opened.service.clone(),
        auth,
        clock,
        ui_dir: Arc::new(args.ui_dir.clone()),
        hosts: Arc::new(http::AppState::hosts_for(address)),
    };
    let served = runtime.block_on(async move {
        listener.set_nonblocking(true)?;
        let listener = tokio::net::TcpListener::from_std(listener)?;
        let app = http::router(state).into_make_service_with_connect_info::<SocketAddr>();
        axum::serve(listener, app)
            .with_graceful_shutdown(stop.recv())
            .await
    });
    println!("stopping: letting the current background slice finish");
    workers.stop(Duration::from_secs(20));
    served.map_err(|e| CliError::Usage(format!("the server failed: {e}")))?;
    println!("stopped");
    Ok(())
}
