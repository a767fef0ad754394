//! The `bursa` binary: `serve` (the default), `migrate`, `create-admin`, `audit verify`,
//! `metrics verify|rebuild`, `seed`.

use std::io::{BufRead, IsTerminal};
use std::process::ExitCode;

use actix_web::HttpServer;
use bursa::auth::Role;
use bursa::config::Config;
use bursa::users::NewUserRequest;
use bursa::{build_app, db, startup, telemetry};
use clap::{Parser, Subcommand};

// Many threads allocating small objects for each request (the HTTP workers, the database
// calls): glibc's malloc took a tenth of the CPU of the busiest read.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "bursa",
    version,
    about = "Job fairs measured by the jobs they produce"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Migrate the database and serve the HTTP API (the default).
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Create an administrator account; the password is read from standard input.
    CreateAdmin {
        #[arg(long)]
        email: String,
        #[arg(long, default_value = "Administrator")]
        full_name: String,
    },
    /// Work with the audit log.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Check or recount the figures kept on each event for the rollups.
    Metrics {
        #[command(subcommand)]
        command: MetricsCommand,
    },
    /// Fill the database with a synthetic national dataset (refused if it holds events).
    Seed(SeedArgs),
}

#[derive(Subcommand)]
enum MetricsCommand {
    /// Compare the figures kept on every event with a count of its rows. Exits 0 when they all
    /// agree, 2 naming the events that differ, 1 when the check could not be made.
    Verify,
    /// Recount the figures kept on every event from its rows (after rows were written around
    /// the API, e.g. restored from elsewhere).
    Rebuild,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Scale {
    /// 40 events, 8,000 job seekers, about 20,000 registrations.
    Default,
    /// 1,000 events, 300,000 job seekers, about 1,000,000 registrations, 100,000 placements.
    National,
}

#[derive(clap::Args)]
struct SeedArgs {
    /// The preset the other flags adjust.
    #[arg(long, value_enum, default_value = "default")]
    scale: Scale,
    /// Number of events.
    #[arg(long)]
    events: Option<usize>,
    /// Number of job seekers.
    #[arg(long)]
    job_seekers: Option<usize>,
    /// Average registrations of an event (drafts have none, cancelled and upcoming ones fewer).
    #[arg(long)]
    registrations_per_event: Option<usize>,
    /// Number of years the events span, up to two months ahead.
    #[arg(long)]
    years: Option<u32>,
    /// Number of organizer organizations (at most 38, one per province).
    #[arg(long)]
    organizers: Option<usize>,
    /// Number of employer organizations.
    #[arg(long)]
    employers: Option<usize>,
    /// The random seed: the same seed gives the same data.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Seed even though the database already holds events.
    #[arg(long)]
    force: bool,
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Check the whole audit chain. Exits 0 when it is intact, 2 naming the first broken link,
    /// 1 when the check could not be made.
    Verify,
}

/// `bursa audit verify` found a broken link, or `bursa metrics verify` a figure that differs
/// from the rows (1 is every other failure).
const EXIT_BROKEN_CHAIN: u8 = 2;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(message) => return fail(&format!("configuration: {message}")),
    };
    telemetry::init(config.log_format);
    let result = match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(config),
        Command::Migrate => migrate(&config),
        Command::CreateAdmin { email, full_name } => create_admin(config, email, full_name),
        Command::Audit {
            command: AuditCommand::Verify,
        } => return audit_verify(&config),
        Command::Metrics {
            command: MetricsCommand::Verify,
        } => return metrics_verify(&config),
        Command::Metrics {
            command: MetricsCommand::Rebuild,
        } => metrics_rebuild(&config),
        Command::Seed(args) => seed(config, args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => fail(&message),
    }
}

fn fail(message: &str) -> ExitCode {
    eprintln!("bursa: {message}");
    ExitCode::FAILURE
}

fn serve(config: Config) -> Result<(), String> {
    let addr = config.addr;
    let workers = config.workers.unwrap_or_else(|| {
        std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
    });
    // As many threads for database calls as there are connections to make them on. A request
    // beyond waits in the blocking threads' queue, where the next thread to finish takes it
    // without going to sleep, instead of as a thread asleep in the pool, woken by each
    // connection handed back: a context switch a request, a fifth of the busiest read's
    // throughput. (`AppState::db` keeps the whole wait within the pool's timeout.)
    let pools = if config.database_read_url.is_some() {
        2
    } else {
        1
    };
    let connections = config.pool_size as usize * pools;
    let per_worker = connections.div_ceil(workers);
    let database = config.database_url.display();
    let state = startup(config)?;
    let mailer = bursa::mail::transport::Mailer::from_config(&state.config.mail)?;
    tracing::info!(to = %mailer.describe(), "mail worker started");
    let mail_worker =
        bursa::mail::worker::spawn(state.pool.clone(), mailer, state.config.mail.clone())
            .map_err(|e| format!("cannot start the mail worker: {e}"))?;
    let upkeep = bursa::upkeep::spawn(state.pool.clone())
        .map_err(|e| format!("cannot start the upkeep worker: {e}"))?;
    tracing::info!(%addr, %database, "Bursa is listening");
    let served = actix_web::rt::System::new().block_on(async move {
        HttpServer::new(move || build_app(state.clone()))
            // SIGTERM and SIGINT stop accepting, let requests in flight finish, then exit.
            .shutdown_timeout(30)
            .workers(workers)
            .worker_max_blocking_threads(per_worker)
            .bind(addr)
            .map_err(|e| format!("cannot listen on {addr}: {e}"))?
            .run()
            .await
            .map_err(|e| format!("server error: {e}"))
    });
    // Messages still due stay in the outbox for the next start (or another instance).
    mail_worker.stop();
    upkeep.stop();
    served
}

fn migrate(config: &Config) -> Result<(), String> {
    let url = &config.database_url;
    let mut conn = url
        .connect()
        .map_err(|e| format!("cannot open the database {}: {e}", url.display()))?;
    let applied = db::run_migrations(&mut conn)?;
    if applied.is_empty() {
        println!("{}: up to date", url.display());
    }
    for migration in applied {
        println!("applied {migration}");
    }
    Ok(())
}

fn audit_verify(config: &Config) -> ExitCode {
    let url = &config.database_url;
    let mut conn = match url.connect() {
        Ok(conn) => conn,
        Err(e) => return fail(&format!("cannot open the database {}: {e}", url.display())),
    };
    match bursa::audit::verify(&mut conn) {
        Ok(records) => {
            println!("audit chain intact: {records} records");
            ExitCode::SUCCESS
        }
        Err(bursa::audit::VerifyError::Broken(link)) => {
            eprintln!("bursa: {link}");
            ExitCode::from(EXIT_BROKEN_CHAIN)
        }
        Err(error) => fail(&error.to_string()),
    }
}

fn metrics_verify(config: &Config) -> ExitCode {
    let url = &config.database_url;
    let mut conn = match url.connect() {
        Ok(conn) => conn,
        Err(e) => return fail(&format!("cannot open the database {}: {e}", url.display())),
    };
    match db::read_snapshot(&mut conn, bursa::metrics::tally::verify) {
        Ok(problems) if problems.is_empty() => {
            println!("kept event figures agree with the rows");
            ExitCode::SUCCESS
        }
        Ok(problems) => {
            for problem in &problems {
                eprintln!("bursa: {problem}");
            }
            ExitCode::from(EXIT_BROKEN_CHAIN)
        }
        Err(error) => fail(&error.to_string()),
    }
}

fn metrics_rebuild(config: &Config) -> Result<(), String> {
    let url = &config.database_url;
    let mut conn = url
        .connect()
        .map_err(|e| format!("cannot open the database {}: {e}", url.display()))?;
    db::write_transaction(&mut conn, |conn| bursa::metrics::tally::rebuild(conn, None))
        .map_err(|e| e.to_string())?;
    println!("kept event figures recounted");
    Ok(())
}

fn seed(config: Config, args: SeedArgs) -> Result<(), String> {
    let mut options = match args.scale {
        Scale::Default => bursa::seed::SeedOptions::default_scale(),
        Scale::National => bursa::seed::SeedOptions::national(),
    };
    options.events = args.events.unwrap_or(options.events);
    options.job_seekers = args.job_seekers.unwrap_or(options.job_seekers);
    options.registrations_per_event = args
        .registrations_per_event
        .unwrap_or(options.registrations_per_event);
    options.years = args.years.unwrap_or(options.years);
    options.organizers = args.organizers.unwrap_or(options.organizers);
    options.employers = args.employers.unwrap_or(options.employers);
    options.seed = args.seed;
    options.force = args.force;
    let state = startup(config)?;
    let mut conn = state
        .pool
        .get()
        .map_err(|e| format!("no database connection: {e}"))?;
    let started = std::time::Instant::now();
    // One hash for every seeded user: argon2 is slow on purpose.
    let hash = bursa::auth::password::hash(bursa::seed::SEED_PASSWORD)?;
    let s =
        bursa::seed::run(&mut conn, &state.nik_key, &hash, &options).map_err(|e| e.to_string())?;
    println!(
        "seeded in {:.1}s: {} events, {} organizations, {} vacancies, {} job seekers, \
         {} registrations ({} check-ins), {} applications, {} placements, {} follow-ups",
        started.elapsed().as_secs_f64(),
        s.events,
        s.organizations,
        s.vacancies,
        s.job_seekers,
        s.registrations,
        s.check_ins,
        s.applications,
        s.placements,
        s.follow_ups
    );
    println!("sign in with password {}:", bursa::seed::SEED_PASSWORD);
    println!("  admin      {}", s.admin_email);
    println!("  ministry   {}", s.ministry_email);
    println!("  organizer  {}", s.organizer_email);
    println!("  employer   {}", s.employer_email);
    Ok(())
}

fn create_admin(config: Config, email: String, full_name: String) -> Result<(), String> {
    // Database and secrets first: fail before asking for a password that cannot be used.
    let state = startup(config)?;
    let password = if std::io::stdin().is_terminal() {
        rpassword::prompt_password("Password for the new administrator: ")
            .map_err(|e| format!("reading the password: {e}"))?
    } else {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .map_err(|e| format!("reading the password from standard input: {e}"))?;
        line.trim_end_matches(['\r', '\n']).to_owned()
    };
    let new = NewUserRequest {
        email: Some(email),
        phone: None,
        whatsapp_consent: None,
        password: Some(password),
        full_name: Some(full_name),
        role: Some(Role::Admin),
        language: None,
    }
    .validate(&[Role::Admin])
    .map_err(|e| {
        let details: Vec<_> = e
            .details
            .iter()
            .map(|d| format!("{} {}", d.field, d.message))
            .collect();
        details.join("; ")
    })?;
    let hash = bursa::auth::password::hash(&new.password)?;
    let mut conn = state
        .pool
        .get()
        .map_err(|e| format!("no database connection: {e}"))?;
    let user = bursa::users::create(&mut conn, new, hash).map_err(|e| e.message)?;
    println!(
        "created administrator {} ({})",
        user.email.as_deref().unwrap_or_default(),
        user.id
    );
    Ok(())
}
