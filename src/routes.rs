//! The one route table: every path of the API, in one place. The same table configures the app
//! and lists the routes for the test that holds `openapi.yaml` to them.

use actix_web::web;

use crate::{
    audit, auth, events, health, job_seekers, organizations, participations, registrations, users,
    vacancies,
};

macro_rules! routes {
    ($($path:literal => { $($method:ident : $handler:path),+ $(,)? }),* $(,)?) => {
        /// Every (path, methods) pair the app serves, in OpenAPI's path syntax.
        pub const ROUTES: &[(&str, &[&str])] = &[$(($path, &[$(stringify!($method)),+])),*];

        pub fn configure(cfg: &mut web::ServiceConfig) {
            let mut scopes = Scopes::default();
            $(scopes.add(cfg, $path, |path| web::resource(path)$(.route(web::$method().to($handler)))+);)*
            scopes.register(cfg);
        }
    };
}

/// The routes grouped by their path up to the first parameter (`/api/v1/events/{id}`), one
/// scope each. actix-web tries a request's path against the routes in turn, a regular
/// expression for each route with a parameter: with about a hundred routes that was a tenth
/// of the CPU of a check-in. Behind a scope's one expression its routes are mostly fixed
/// paths, compared as strings.
#[derive(Default)]
struct Scopes(Vec<(&'static str, Vec<actix_web::Resource>)>);

impl Scopes {
    /// Registers the route of `path` (its resource made by `resource` from the path relative
    /// to its scope): a path without parameters at once, others in their scope.
    fn add(
        &mut self,
        cfg: &mut web::ServiceConfig,
        path: &'static str,
        resource: impl FnOnce(&'static str) -> actix_web::Resource,
    ) {
        let Some((prefix, rest)) = split_at_first_parameter(path) else {
            cfg.service(resource(path));
            return;
        };
        match self.0.iter_mut().find(|(p, _)| *p == prefix) {
            Some((_, resources)) => resources.push(resource(rest)),
            None => self.0.push((prefix, vec![resource(rest)])),
        }
    }

    fn register(self, cfg: &mut web::ServiceConfig) {
        for (prefix, resources) in self.0 {
            cfg.service(
                resources
                    .into_iter()
                    .fold(web::scope(prefix), |scope, resource| {
                        scope.service(resource)
                    }),
            );
        }
    }
}

/// `/a/{id}/b` → (`/a/{id}`, `/b`); `/a/{id}` → (`/a/{id}`, ``); `None` without a parameter.
fn split_at_first_parameter(path: &str) -> Option<(&str, &str)> {
    let start = path.find('{')?;
    let end = path[start..].find('/').map_or(path.len(), |i| start + i);
    Some(path.split_at(end))
}

routes! {
    "/healthz" => { get: health::healthz },
    "/readyz" => { get: health::readyz },
    "/api/v1/provinces" => { get: health::provinces },
    "/api/v1/occupations" => { get: crate::occupations::search_handler },
    "/api/v1/audit" => { get: audit::handlers::list },
    "/api/v1/admin/outbox" => { get: crate::mail::handlers::list },
    "/api/v1/admin/outbox/{id}/retry" => { post: crate::mail::handlers::retry },

    "/api/v1/auth/register" => { post: auth::handlers::register },
    "/api/v1/auth/login" => { post: auth::handlers::login },
    "/api/v1/auth/phone-codes" => { post: auth::handlers::request_phone_code },
    "/api/v1/auth/phone-codes/verify" => { post: auth::handlers::verify_phone_code },
    "/api/v1/auth/refresh" => { post: auth::handlers::refresh },
    "/api/v1/auth/logout" => { post: auth::handlers::logout },
    "/api/v1/auth/verify-email" => { post: auth::handlers::verify_email },
    "/api/v1/auth/password-reset" => { post: auth::handlers::password_reset },
    "/api/v1/auth/password-reset/confirm" => { post: auth::handlers::password_reset_confirm },
    "/api/v1/me" => { get: auth::handlers::me },
    "/api/v1/me/verification-email" => { post: auth::handlers::resend_verification },

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
    "/api/v1/organizations/{id}/verify" => { post: organizations::handlers::verify },
    "/api/v1/organizations/{id}/unverify" => { post: organizations::handlers::unverify },

    "/api/v1/events" => { get: events::handlers::list, post: events::handlers::create },
    "/api/v1/events/{id}" => { get: events::handlers::get, patch: events::handlers::update },
    "/api/v1/events/{id}/publish" => { post: events::handlers::publish },
    "/api/v1/events/{id}/cancel" => { post: events::handlers::cancel },
    "/api/v1/events/{id}/close" => { post: events::handlers::close },
    "/api/v1/events/{id}/metrics" => { get: crate::metrics::handlers::event_metrics },
    "/api/v1/events/{id}/scorecard" => { get: crate::metrics::scorecard::event_scorecard },
    "/api/v1/metrics" => { get: crate::metrics::handlers::rollup },
    "/api/v1/metrics/export" => { get: crate::metrics::handlers::export },
    "/api/v1/reports/ipk3" => { get: crate::reports::ipk3::export },

    "/api/v1/events/{id}/employers" => {
        get: participations::handlers::list,
        post: participations::handlers::join,
    },
    "/api/v1/events/{id}/employers/{organization_id}/approve" => {
        post: participations::handlers::approve,
    },
    "/api/v1/events/{id}/employers/{organization_id}/reject" => {
        post: participations::handlers::reject,
    },

    "/api/v1/events/{id}/vacancies" => {
        get: vacancies::handlers::list,
        post: vacancies::handlers::create,
    },
    "/api/v1/vacancies/{id}" => { get: vacancies::handlers::get, patch: vacancies::handlers::update },
    "/api/v1/vacancies/{id}/close" => { post: vacancies::handlers::close },
    "/api/v1/vacancies/{id}/applications" => {
        get: crate::applications::handlers::list,
        post: crate::applications::handlers::create,
    },
    "/api/v1/applications/{id}" => {
        get: crate::applications::handlers::get,
        patch: crate::applications::handlers::update,
    },
    "/api/v1/me/applications" => { get: crate::applications::handlers::mine },

    "/api/v1/job-seekers" => { post: job_seekers::handlers::create },
    "/api/v1/job-seekers/{id}" => {
        get: job_seekers::handlers::get,
        patch: job_seekers::handlers::update,
    },
    "/api/v1/me/job-seeker" => { get: job_seekers::handlers::me },
    "/api/v1/nik-claims" => {
        get: job_seekers::claim_handlers::list,
        post: job_seekers::claim_handlers::file,
    },
    "/api/v1/me/nik-claims" => { get: job_seekers::claim_handlers::mine },
    "/api/v1/nik-claims/{id}/approve" => { post: job_seekers::claim_handlers::approve },
    "/api/v1/nik-claims/{id}/reject" => { post: job_seekers::claim_handlers::reject },

    "/api/v1/events/{id}/registrations" => {
        get: registrations::handlers::list,
        post: registrations::handlers::register,
    },
    "/api/v1/events/{id}/check-ins" => { post: registrations::handlers::check_in },
    "/api/v1/events/{id}/walk-ins" => { post: registrations::handlers::walk_in },
    "/api/v1/events/{id}/check-ins/batch" => { post: crate::door::handlers::upload },
    "/api/v1/events/{id}/check-in-list" => { get: crate::door::handlers::check_in_list },
    "/api/v1/events/{id}/check-in-list/search" => { get: crate::door::handlers::search },
    "/api/v1/events/{id}/door-passes" => {
        get: crate::door::handlers::list,
        post: crate::door::handlers::issue,
    },
    "/api/v1/door-passes/{id}/revoke" => { post: crate::door::handlers::revoke },
    "/api/v1/registrations/{id}/qr.svg" => { get: registrations::handlers::qr },
    "/api/v1/placements/{id}/follow-ups" => {
        get: crate::follow_ups::handlers::list,
        post: crate::follow_ups::handlers::create,
    },
    "/api/v1/follow-ups/due" => { get: crate::follow_ups::handlers::due },
    "/api/v1/me/registrations" => { get: registrations::handlers::mine },

    "/api/v1/placements" => { post: crate::placements::handlers::report },
    "/api/v1/placements/{id}" => { get: crate::placements::handlers::get },
    "/api/v1/placements/{id}/retract" => { post: crate::placements::handlers::retract },
    "/api/v1/placements/{id}/confirm" => { post: crate::placements::handlers::confirm },
    "/api/v1/placements/{id}/dispute" => { post: crate::placements::handlers::dispute },
    "/api/v1/placements/{id}/verify" => { post: crate::placements::handlers::verify },
    "/api/v1/placements/{id}/reject" => { post: crate::placements::handlers::reject },
    "/api/v1/placements/{id}/confirmation-link" => {
        post: crate::placements::handlers::confirmation_link,
    },
    "/api/v1/placement-confirmations/{token}" => {
        get: crate::placements::handlers::show_claim,
        post: crate::placements::handlers::answer_claim,
    },
    "/api/v1/events/{id}/placements" => { get: crate::placements::handlers::list_for_event },
    "/api/v1/events/{id}/placements/export" => { get: crate::placements::export::for_event },
    "/api/v1/organizations/{id}/placements" => {
        get: crate::placements::handlers::list_for_organization,
    },
    "/api/v1/organizations/{id}/metrics" => { get: crate::metrics::employer::employer_metrics },
    "/api/v1/me/placements" => { get: crate::placements::handlers::mine },
}

/// The web pages (HTML), beside the API: not part of `openapi.yaml`.
pub fn configure_pages(cfg: &mut web::ServiceConfig) {
    use crate::site::{self, pages};
    cfg.configure(pages::desk::routes);
    cfg.configure(pages::reports::routes);
    cfg.configure(pages::dashboard::routes);
    cfg.configure(pages::door::routes)
        .service(web::resource("/").route(web::get().to(pages::home::show)))
        .service(web::resource("/events").route(web::get().to(pages::events::list)))
        .service(web::resource("/events/{id}").route(web::get().to(pages::events::show)))
        .service(
            web::resource("/events/{id}/scorecard")
                .route(web::get().to(pages::scorecard::scorecard)),
        )
        .service(
            web::resource("/events/{id}/registration")
                .route(web::post().to(pages::seeker::registrations::register)),
        )
        .service(
            web::resource("/vacancies/{id}/application")
                .route(web::post().to(pages::seeker::applications::apply)),
        )
        .service(
            web::resource("/me/profile")
                .route(web::get().to(pages::profile::show))
                .route(web::post().to(pages::profile::save)),
        )
        .service(
            web::resource("/me/registrations")
                .route(web::get().to(pages::seeker::registrations::registrations)),
        )
        .service(
            web::resource("/me/registrations/{id}")
                .route(web::get().to(pages::seeker::registrations::ticket)),
        )
        .service(
            web::resource("/me/applications")
                .route(web::get().to(pages::seeker::applications::applications)),
        )
        .service(web::resource("/me/hires").route(web::get().to(pages::seeker::hires::hires)))
        .service(
            web::resource("/me/hires/{id}/confirm")
                .route(web::post().to(pages::seeker::hires::confirm)),
        )
        .service(
            web::resource("/me/hires/{id}/dispute")
                .route(web::post().to(pages::seeker::hires::dispute)),
        )
        .configure(pages::follow_up::routes)
        .service(web::resource("/sw.js").route(web::get().to(site::assets::service_worker)))
        .service(web::resource("/static/{name}").route(web::get().to(site::assets::serve)))
        .service(web::resource("/bahasa/{code}").route(web::get().to(site::switch_language)))
        .service(
            web::resource("/placement-confirmations/{token}")
                .route(web::get().to(pages::confirm::show))
                .route(web::post().to(pages::confirm::answer)),
        )
        .service(
            web::resource("/sign-up")
                .route(web::get().to(pages::account::sign_up_form))
                .route(web::post().to(pages::account::sign_up)),
        )
        .service(
            web::resource("/sign-in")
                .route(web::get().to(pages::account::sign_in_form))
                .route(web::post().to(pages::account::sign_in)),
        )
        .service(
            web::resource("/sign-in/code")
                .route(web::get().to(pages::phone::form))
                .route(web::post().to(pages::phone::verify)),
        )
        .service(web::resource("/sign-in/code/send").route(web::post().to(pages::phone::send)))
        .service(web::resource("/sign-out").route(web::post().to(pages::account::sign_out)))
        .service(web::resource("/me").route(web::get().to(pages::account::me)))
        .service(
            web::resource("/me/verification-email")
                .route(web::post().to(pages::account::resend_verification)),
        )
        .service(
            web::resource("/verify-email")
                .route(web::get().to(pages::email_links::verify_email_form))
                .route(web::post().to(pages::email_links::verify_email)),
        )
        .service(
            web::resource("/forgot-password")
                .route(web::get().to(pages::email_links::forgot_password_form))
                .route(web::post().to(pages::email_links::forgot_password)),
        )
        .service(
            web::resource("/reset-password")
                .route(web::get().to(pages::email_links::reset_password_form))
                .route(web::post().to(pages::email_links::reset_password)),
        )
        .configure(pages::booth::routes);
}

#[cfg(test)]
mod tests {
    use super::split_at_first_parameter;

    #[test]
    fn a_route_is_scoped_by_its_path_up_to_the_first_parameter() {
        assert_eq!(split_at_first_parameter("/api/v1/events"), None);
        assert_eq!(
            split_at_first_parameter("/api/v1/events/{id}"),
            Some(("/api/v1/events/{id}", ""))
        );
        assert_eq!(
            split_at_first_parameter("/api/v1/events/{id}/employers/{organization_id}/approve"),
            Some((
                "/api/v1/events/{id}",
                "/employers/{organization_id}/approve"
            ))
        );
    }
}
