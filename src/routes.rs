//! The one route table: every path of the API, in one place. The same table configures the app
//! and lists the routes for the test that holds `openapi.yaml` to them.

use actix_web::web;

use crate::{auth, events, health, organizations, users};

macro_rules! routes {
    ($($path:literal => { $($method:ident : $handler:path),+ $(,)? }),* $(,)?) => {
        /// Every (path, methods) pair the app serves, in OpenAPI's path syntax.
        pub const ROUTES: &[(&str, &[&str])] = &[$(($path, &[$(stringify!($method)),+])),*];

        pub fn configure(cfg: &mut web::ServiceConfig) {
            $(cfg.service(web::resource($path)$(.route(web::$method().to($handler)))+);)*
        }
    };
}

routes! {
    "/healthz" => { get: health::healthz },
    "/readyz" => { get: health::readyz },
    "/api/v1/provinces" => { get: health::provinces },

    "/api/v1/auth/register" => { post: auth::handlers::register },
    "/api/v1/auth/login" => { post: auth::handlers::login },
    "/api/v1/auth/refresh" => { post: auth::handlers::refresh },
    "/api/v1/auth/logout" => { post: auth::handlers::logout },
    "/api/v1/me" => { get: auth::handlers::me },

    "/api/v1/users" => { get: users::handlers::list, post: users::handlers::create },
    "/api/v1/users/{id}" => { get: users::handlers::get, patch: users::handlers::update },

    "/api/v1/organizations" => {
        get: organizations::handlers::list,
        post: organizations::handlers::create,
    },
    "/api/v1/organizations/{id}" => {
        get: organizations::handlers::get,
        patch: organizations::handlers::update,
    },
    "/api/v1/organizations/{id}/members" => {
        get: organizations::handlers::members,
        post: organizations::handlers::add,
    },
    "/api/v1/organizations/{id}/members/{user_id}" => { delete: organizations::handlers::remove },

    "/api/v1/events" => { get: events::handlers::list, post: events::handlers::create },
    "/api/v1/events/{id}" => { get: events::handlers::get, patch: events::handlers::update },
}
