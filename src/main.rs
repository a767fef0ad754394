//! The `bursa` binary: `serve` (the default), `migrate`, `create-admin`, `audit verify`.

use std::io::{BufRead, IsTerminal};
use std::process::ExitCode;

use actix_web::HttpServer;
use bursa::auth::Role;
use bursa::config::Config;
use bursa::users::NewUserRequest;
use bursa::{build_app, db, startup, telemetry};
use clap::{Parser, Subcommand};

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
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Check the whole audit chain. Exits 0 when it is intact, 2 naming the first broken link,
    /// 1 when the check could not be made.
    Verify,
}

/// `bursa audit verify` found a broken link (1 is every other failure).
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
    let workers = config.workers;
    let database = config.database_url.display();
    let state = startup(config)?;
    tracing::info!(%addr, %database, "Bursa is listening");
    actix_web::rt::System::new().block_on(async move {
        let mut server = HttpServer::new(move || build_app(state.clone()))
            // SIGTERM and SIGINT stop accepting, let requests in flight finish, then exit.
            .shutdown_timeout(30);
        if let Some(workers) = workers {
            server = server.workers(workers);
        }
        server
            .bind(addr)
            .map_err(|e| format!("cannot listen on {addr}: {e}"))?
            .run()
            .await
            .map_err(|e| format!("server error: {e}"))
    })
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
        password: Some(password),
        full_name: Some(full_name),
        role: Some(Role::Admin),
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
    println!("created administrator {} ({})", user.email, user.id);
    Ok(())
}
