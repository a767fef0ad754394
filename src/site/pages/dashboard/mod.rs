//! The ministry's dashboard, `/dashboard`: the national figures at a glance for ministry staff
//! and admins, and for organizer staff over their own organizations' fairs (the rollup's
//! `member` filter). Employers and job seekers get the forbidden page; a visitor signed out is
//! sent to sign in and back.
//!
//! - Filters (period, province, funding source, organizer) and choices (the map's figure, the
//!   table's order, months or quarters) are a GET form, so the URL is the view and can be shared.
//! - One read of the kept figures per page ([`data::load`]), in one snapshot: no per-event query.
//! - Every chart is SVG drawn here, with the table of its figures beside it; the figures are the
//!   rollup API's (`GET /api/v1/metrics`), written the Indonesian way.
//! - `/dashboard/download?table=…&format=csv|xlsx` gives a table of the page as a file, with the
//!   page's filters, through [`crate::export`].

mod charts;
mod data;
mod download;
mod map;
mod query;

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

use self::data::Data;
use self::query::{Metric, RawQuery, View};
use super::seeker::signed_in;
use crate::auth::{guards, AuthUser, Role};
use crate::error::AppError;
use crate::metrics::rollup::{self, Figures, Row};
use crate::metrics::{Breakdowns, Cell, Dimension};
use crate::site::{error_page, error_response, i18n, render, Frame, Visitor};
use crate::users::Language;
use crate::{locale, AppState};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/dashboard").route(web::get().to(show)))
        .service(web::resource("/dashboard/download").route(web::get().to(download::download)));
}

/// The signed-in reader of the dashboard and the reach of their figures: `None` for everything
/// (ministry, admin), `Some(user)` for an organizer's own organizations. Anyone else gets the
/// page of their refusal (sign in, or forbidden).
fn reader(
    visitor: &Visitor,
    req: &HttpRequest,
) -> Result<(AuthUser, Option<String>), Box<HttpResponse>> {
    let back = match req.uri().query() {
        Some(q) => format!("{}?{q}", req.uri().path()),
        None => req.uri().path().to_owned(),
    };
    let caller = signed_in(visitor, &back)?;
    if let Err(error) = guards::role(&caller, &rollup::READERS) {
        return Err(Box::new(error_response(visitor, &error)));
    }
    let member = (!caller.role.reads_everything()).then(|| caller.id.clone());
    Ok((caller, member))
}

/// The view of a query, or the bad-request page naming nothing secret.
fn view_of(visitor: &Visitor, raw: &RawQuery) -> Result<View, Box<HttpResponse>> {
    View::parse(raw).map_err(|_| Box::new(error_page(visitor.lang, StatusCode::BAD_REQUEST)))
}

/// An organizer may filter by an organization only if they act for it (403 otherwise).
fn check_organization(
    conn: &mut crate::db::DbConn,
    caller: &AuthUser,
    view: &View,
) -> Result<(), AppError> {
    match (&view.organization, caller.role) {
        (Some(id), Role::Organizer) => guards::organization_reader(conn, caller, id),
        _ => Ok(()),
    }
}

// ---------------------------------------------------------------------------- what is shown

/// One headline figure.
struct Headline {
    id: &'static str,
    label: &'static str,
    value: String,
    hint: Option<String>,
}

/// A choice among links (the map's figure, months or quarters).
struct Choice {
    label: &'static str,
    href: String,
    current: bool,
}

/// A sortable column header of the province table.
struct Header {
    label: &'static str,
    href: String,
    /// `aria-sort`: `ascending`, `descending` or `none`.
    sort: &'static str,
    numeric: bool,
}

/// One row of a figures table (a province, a period, a funding source, an organizer).
struct Line {
    key: String,
    label: String,
    href: Option<String>,
    events: String,
    attendees: String,
    verified: String,
    rate: String,
    cost_per_placement: String,
    /// For the map table: whether the map draws this province.
    outlined: bool,
    selected: bool,
}

struct LegendStep {
    shade: u8,
    text: String,
}

/// A fair of the drill-down.
struct FairLine {
    title: String,
    href: String,
    date: String,
    organizer: String,
    attendees: String,
    verified: String,
    rate: String,
    cost: String,
    cost_per_placement: String,
}

struct Download {
    label: &'static str,
    csv: String,
    xlsx: String,
}

struct SelectOption {
    value: String,
    label: String,
    selected: bool,
}

#[derive(Template)]
#[template(path = "dashboard/show.html")]
struct DashboardPage {
    frame: Frame,
    organizer_view: bool,
    from: String,
    to: String,
    province_options: Vec<SelectOption>,
    funding_options: Vec<SelectOption>,
    organization_options: Vec<SelectOption>,
    metric_input: &'static str,
    sort_input: String,
    period_input: &'static str,
    headline: Vec<Headline>,
    no_events: bool,
    metric_label: &'static str,
    metric_choices: Vec<Choice>,
    map: String,
    legend: Vec<LegendStep>,
    province_headers: Vec<Header>,
    province_lines: Vec<Line>,
    period_choices: Vec<Choice>,
    trend_chart: String,
    trend_lines: Vec<Line>,
    funding_chart: String,
    funding_lines: Vec<Line>,
    organizer_chart: String,
    organizer_lines: Vec<Line>,
    served: Vec<Served>,
    chosen_province: Option<String>,
    all_provinces_href: String,
    fairs: Vec<FairLine>,
    downloads: Vec<Download>,
    /// Whether to link to the IPK III report (shown only to whom its page opens for).
    ipk3_link: bool,
}

fn t(lang: Language, key: &str) -> &'static str {
    i18n::text(lang, key)
}

fn dash(value: Option<String>) -> String {
    value.unwrap_or_else(|| "–".to_owned())
}

fn rate_text(rate: Option<f64>, lang: Language) -> String {
    dash(rate.map(|r| locale::percent(r, lang)))
}

fn money_text(money: Option<i64>, lang: Language) -> String {
    dash(money.map(|m| locale::rupiah(m, lang)))
}

/// A metric's value of a group, as a number for shading and as text.
fn metric_value(metric: Metric, f: &Figures, lang: Language) -> (Option<f64>, String) {
    let count = |n: i64| (f.events > 0).then_some(n as f64);
    match metric {
        Metric::PlacementRate => (f.placement_rate, rate_text(f.placement_rate, lang)),
        Metric::CostPerPlacement => (
            f.cost_per_placement_idr.map(|v| v as f64),
            money_text(f.cost_per_placement_idr, lang),
        ),
        Metric::PlacementsVerified => (
            count(f.placements_verified),
            locale::number(f.placements_verified, lang),
        ),
        Metric::Attendees => (count(f.attendees), locale::number(f.attendees, lang)),
        Metric::Events => (count(f.events), locale::number(f.events, lang)),
    }
}

fn metric_label(metric: Metric, lang: Language) -> &'static str {
    t(lang, &format!("dash.metric_{}", metric.as_str()))
}

/// The figures of one group as a table line.
fn line(key: &str, label: String, href: Option<String>, f: &Figures, lang: Language) -> Line {
    Line {
        key: key.to_owned(),
        label,
        href,
        events: locale::number(f.events, lang),
        attendees: locale::number(f.attendees, lang),
        verified: locale::number(f.placements_verified, lang),
        rate: rate_text(f.placement_rate, lang),
        cost_per_placement: money_text(f.cost_per_placement_idr, lang),
        outlined: true,
        selected: false,
    }
}

fn headline(f: &Figures, lang: Language) -> Vec<Headline> {
    let n = |v: i64| locale::number(v, lang);
    let share = crate::metrics::rate(f.placements_seeker_confirmed, f.placements_verified);
    vec![
        Headline {
            id: "events",
            label: t(lang, "dash.head_events"),
            value: n(f.events),
            hint: None,
        },
        Headline {
            id: "attendees",
            label: t(lang, "dash.head_attendees"),
            value: n(f.attendees),
            hint: None,
        },
        Headline {
            id: "placements_verified",
            label: t(lang, "dash.head_placements_verified"),
            value: n(f.placements_verified),
            hint: None,
        },
        Headline {
            id: "placement_rate",
            label: t(lang, "dash.head_placement_rate"),
            value: rate_text(f.placement_rate, lang),
            hint: None,
        },
        Headline {
            id: "cost_per_placement_idr",
            label: t(lang, "dash.head_cost_per_placement"),
            value: money_text(f.cost_per_placement_idr, lang),
            hint: None,
        },
        Headline {
            id: "cost_idr",
            label: t(lang, "dash.head_spent"),
            value: locale::rupiah(f.cost_idr, lang),
            hint: Some({
                let budget = i18n::fill(
                    lang,
                    "dash.head_budget",
                    &[("budget", &locale::rupiah(f.budget_idr, lang))],
                );
                if f.events_costed_at_budget == 0 {
                    budget
                } else {
                    let at_budget = i18n::fill(
                        lang,
                        "dash.head_costed_at_budget",
                        &[("n", &n(f.events_costed_at_budget))],
                    );
                    format!("{budget}. {at_budget}")
                }
            }),
        },
        Headline {
            id: "seeker_confirmed_share",
            label: t(lang, "dash.head_seeker_confirmed"),
            value: rate_text(share, lang),
            hint: Some(i18n::fill(
                lang,
                "dash.head_seeker_confirmed_of",
                &[
                    ("confirmed", &n(f.placements_seeker_confirmed)),
                    ("verified", &n(f.placements_verified)),
                ],
            )),
        },
    ]
}

/// A period key as people read it: `2026-03` → `Maret 2026`, `2026-Q1` → `Triwulan I 2026`.
fn period_label(key: &str, lang: Language) -> String {
    if let Some((year, quarter)) = key.split_once("-Q") {
        let roman = match quarter {
            "1" => "I",
            "2" => "II",
            "3" => "III",
            _ => "IV",
        };
        return i18n::fill(
            lang,
            "dash.quarter",
            &[("roman", roman), ("n", quarter), ("year", year)],
        );
    }
    match key.split_once('-') {
        Some((year, month)) => match month.parse::<u32>() {
            Ok(month) => format!("{} {year}", locale::month_name(month, lang)),
            Err(_) => key.to_owned(),
        },
        None => key.to_owned(),
    }
}

fn funding_label(key: &str, lang: Language) -> String {
    t(lang, &format!("desk.funding_{key}")).to_owned()
}

fn province_name(code: &str) -> String {
    crate::provinces::find(code).map_or_else(|| code.to_owned(), |p| p.name.to_owned())
}

/// The 38 provinces' lines (those without fairs in the view with zeros), sorted as asked.
fn province_lines(view: &View, rows: &[Row], lang: Language) -> Vec<(Line, Figures)> {
    let mut lines: Vec<(Line, Figures)> = crate::provinces::all()
        .iter()
        .map(|p| {
            let figures = rows
                .iter()
                .find(|r| r.key == p.code)
                .map(|r| r.figures.clone())
                .unwrap_or_default();
            let href = view.link(&[("province", Some(p.code))]);
            let mut l = line(p.code, p.name.to_owned(), Some(href), &figures, lang);
            l.outlined = map::has_outline(p.code);
            l.selected = view.province.as_deref() == Some(p.code);
            (l, figures)
        })
        .collect();
    let (key, descending) = view.sort;
    let number = |f: &Figures| -> Option<f64> {
        match key {
            "events" => Some(f.events as f64),
            "attendees" => Some(f.attendees as f64),
            "placements_verified" => Some(f.placements_verified as f64),
            "placement_rate" => f.placement_rate,
            "cost_per_placement_idr" => f.cost_per_placement_idr.map(|v| v as f64),
            _ => None,
        }
    };
    lines.sort_by(|(a, fa), (b, fb)| {
        let order = match key {
            "name" => a.label.cmp(&b.label),
            "code" => a.key.cmp(&b.key),
            // No value (a rate without attendees) sorts last either way.
            _ => match (number(fa), number(fb)) {
                (Some(x), Some(y)) => x.total_cmp(&y),
                (Some(_), None) => return std::cmp::Ordering::Less,
                (None, Some(_)) => return std::cmp::Ordering::Greater,
                (None, None) => std::cmp::Ordering::Equal,
            },
        };
        let order = if descending { order.reverse() } else { order };
        order.then_with(|| a.key.cmp(&b.key))
    });
    lines
}

fn province_headers(view: &View, lang: Language) -> Vec<Header> {
    [
        ("name", "dash.col_province", false),
        ("events", "dash.col_events", true),
        ("attendees", "dash.col_attendees", true),
        ("placements_verified", "dash.col_verified", true),
        ("placement_rate", "dash.col_rate", true),
        (
            "cost_per_placement_idr",
            "dash.col_cost_per_placement",
            true,
        ),
    ]
    .into_iter()
    .map(|(key, label, numeric)| {
        let (current, descending) = view.sort;
        let sorted = current == key;
        // A first click sorts numbers largest first, names A–Z; a second click reverses.
        let next = if sorted {
            if descending {
                key.to_owned()
            } else {
                format!("-{key}")
            }
        } else if numeric {
            format!("-{key}")
        } else {
            key.to_owned()
        };
        Header {
            label: t(lang, label),
            href: format!("{}#provinces", view.link(&[("sort", Some(&next))])),
            sort: match (sorted, descending) {
                (false, _) => "none",
                (true, false) => "ascending",
                (true, true) => "descending",
            },
            numeric,
        }
    })
    .collect()
}

/// A bar chart of verified placements with their table lines.
fn bar_chart(title: &str, lines: &[Line], figures: &[&Figures], lang: Language) -> String {
    let bars: Vec<charts::Bar> = lines
        .iter()
        .zip(figures)
        .map(|(l, f)| charts::Bar {
            label: l.label.clone(),
            value: f.placements_verified as f64,
            text: locale::number(f.placements_verified, lang),
        })
        .collect();
    charts::bars(title, &bars)
}

fn options(
    all_label: &'static str,
    chosen: Option<&str>,
    items: impl Iterator<Item = (String, String)>,
) -> Vec<SelectOption> {
    let mut out = vec![SelectOption {
        value: String::new(),
        label: all_label.to_owned(),
        selected: chosen.is_none(),
    }];
    out.extend(items.map(|(value, label)| SelectOption {
        selected: chosen == Some(value.as_str()),
        value,
        label,
    }));
    out
}

fn page(
    visitor: &Visitor,
    req: &HttpRequest,
    view: &View,
    data: Data,
    organizer_view: bool,
    ipk3_link: bool,
) -> DashboardPage {
    let lang = visitor.lang;
    let frame = Frame::new(
        visitor,
        req,
        t(lang, "dash.title").to_owned(),
        t(lang, "dash.description").to_owned(),
    );

    // The map and its table.
    let provinces = province_lines(view, &data.provinces, lang);
    let values: Vec<(Option<f64>, String)> = provinces
        .iter()
        .map(|(_, f)| metric_value(view.metric, f, lang))
        .collect();
    let (shades, bounds) = map::shades(&values.iter().map(|(v, _)| *v).collect::<Vec<_>>());
    let areas: Vec<map::Area> = provinces
        .iter()
        .zip(&values)
        .zip(&shades)
        .map(|(((l, _), (_, text)), shade)| map::Area {
            code: &l.key,
            shade: *shade,
            label: format!("{}: {text}", l.label),
            href: format!("{}#fairs", l.href.clone().unwrap_or_default()),
            selected: l.selected,
        })
        .collect();
    let metric_label = metric_label(view.metric, lang);
    let map = map::svg(
        &i18n::fill(lang, "dash.map_title", &[("metric", metric_label)]),
        &areas,
    );
    let format_bound = |v: f64| match view.metric {
        Metric::PlacementRate => locale::percent(v, lang),
        Metric::CostPerPlacement => locale::rupiah(v.round() as i64, lang),
        _ => locale::number(v.round() as i64, lang),
    };
    let mut legend: Vec<LegendStep> = bounds
        .iter()
        .enumerate()
        .map(|(i, b)| LegendStep {
            shade: if bounds.len() == 1 {
                map::SHADES
            } else {
                (i + 1) as u8
            },
            text: i18n::fill(lang, "dash.legend_from", &[("value", &format_bound(*b))]),
        })
        .collect();
    legend.push(LegendStep {
        shade: 0,
        text: t(lang, "dash.legend_none").to_owned(),
    });
    let metric_choices = Metric::ALL
        .into_iter()
        .map(|m| Choice {
            label: metric_label_short(m, lang),
            href: format!("{}#map", view.link(&[("metric", Some(m.as_str()))])),
            current: m == view.metric,
        })
        .collect();

    // Trends.
    let trend_figures: Vec<&Figures> = data.periods.iter().map(|r| &r.figures).collect();
    let trend_lines: Vec<Line> = data
        .periods
        .iter()
        .map(|r| line(&r.key, period_label(&r.key, lang), None, &r.figures, lang))
        .collect();
    let trend_chart = bar_chart(
        t(lang, "dash.trend_chart"),
        &trend_lines,
        &trend_figures,
        lang,
    );
    let period_choices = data::PERIODS
        .iter()
        .copied()
        .map(|p| Choice {
            label: t(lang, &format!("dash.period_{}", p.as_str())),
            href: format!("{}#trend", view.link(&[("period", Some(p.as_str()))])),
            current: p == view.period,
        })
        .collect();

    // Funding sources and organizers.
    let funding_figures: Vec<&Figures> = data.funding.iter().map(|r| &r.figures).collect();
    let funding_lines: Vec<Line> = data
        .funding
        .iter()
        .map(|r| {
            let href = view.link(&[("funding", Some(&r.key))]);
            line(
                &r.key,
                funding_label(&r.key, lang),
                Some(href),
                &r.figures,
                lang,
            )
        })
        .collect();
    let funding_chart = bar_chart(
        t(lang, "dash.funding_chart"),
        &funding_lines,
        &funding_figures,
        lang,
    );
    let organizer_figures: Vec<&Figures> = data.organizers.iter().map(|r| &r.figures).collect();
    let organizer_lines: Vec<Line> = data
        .organizers
        .iter()
        .map(|r| {
            let href = view.link(&[("organization", Some(&r.key))]);
            let label = r.label.clone().unwrap_or_else(|| r.key.clone());
            line(&r.key, label, Some(href), &r.figures, lang)
        })
        .collect();
    let organizer_chart = bar_chart(
        t(lang, "dash.organizer_chart"),
        &organizer_lines,
        &organizer_figures,
        lang,
    );

    // The drill-down.
    let organization_names: std::collections::HashMap<&str, &str> = data
        .organizations
        .iter()
        .map(|(id, name)| (id.as_str(), name.as_str()))
        .chain(
            data.organizers
                .iter()
                .filter_map(|r| Some((r.key.as_str(), r.label.as_deref()?))),
        )
        .collect();
    let fairs = data
        .fairs
        .iter()
        .map(|f| FairLine {
            title: f.title.clone(),
            href: if organizer_view {
                format!("/desk/events/{}", f.id)
            } else {
                format!("/events/{}", f.id)
            },
            date: locale::date(f.local_start_date, lang),
            organizer: organization_names
                .get(f.organization_id.as_str())
                .map_or_else(|| f.organization_id.clone(), |n| (*n).to_owned()),
            attendees: locale::number(f.attendees, lang),
            verified: locale::number(f.placements_verified, lang),
            rate: rate_text(f.placement_rate, lang),
            cost: locale::rupiah(f.cost_idr, lang),
            cost_per_placement: money_text(f.cost_per_placement_idr, lang),
        })
        .collect();

    let downloads = download::TABLES
        .iter()
        .map(|(table, label)| {
            let link = |format: &str| {
                format!(
                    "/dashboard/download?{}",
                    view.query(&[
                        ("table", Some(table)),
                        ("format", Some(format)),
                        ("metric", None),
                        ("sort", None),
                    ])
                )
            };
            Download {
                label: t(lang, label),
                csv: link("csv"),
                xlsx: link("xlsx"),
            }
        })
        .collect();

    let provinces_all = crate::provinces::all()
        .iter()
        .map(|p| (p.code.to_owned(), p.name.to_owned()));
    let funding_all = crate::events::FundingSource::ALL
        .iter()
        .map(|f| (f.as_str().to_owned(), funding_label(f.as_str(), lang)));
    DashboardPage {
        organizer_view,
        from: view.from.map(|d| d.to_string()).unwrap_or_default(),
        to: view.to.map(|d| d.to_string()).unwrap_or_default(),
        province_options: options(
            t(lang, "dash.all_provinces"),
            view.province.as_deref(),
            provinces_all,
        ),
        funding_options: options(
            t(lang, "dash.all_funding"),
            view.funding.map(|f| f.as_str()),
            funding_all,
        ),
        organization_options: options(
            t(lang, "dash.all_organizers"),
            view.organization.as_deref(),
            data.organizations.iter().cloned(),
        ),
        metric_input: view.metric.as_str(),
        sort_input: match view.sort {
            (key, true) => format!("-{key}"),
            (key, false) => key.to_owned(),
        },
        period_input: view.period.as_str(),
        headline: headline(&data.totals, lang),
        no_events: data.totals.events == 0,
        metric_label,
        metric_choices,
        map,
        legend,
        province_headers: province_headers(view, lang),
        province_lines: provinces.into_iter().map(|(l, _)| l).collect(),
        period_choices,
        trend_chart,
        trend_lines,
        funding_chart,
        funding_lines,
        organizer_chart,
        organizer_lines,
        served: served(&data.totals.breakdowns, lang),
        chosen_province: view.province.as_deref().map(province_name),
        all_provinces_href: view.link(&[("province", None)]),
        fairs,
        downloads,
        ipk3_link,
        frame,
    }
}

fn metric_label_short(metric: Metric, lang: Language) -> &'static str {
    metric_label(metric, lang)
}

/// `GET /dashboard`.
pub async fn show(
    visitor: Visitor,
    req: HttpRequest,
    state: web::Data<AppState>,
    raw: web::Query<RawQuery>,
) -> HttpResponse {
    let (caller, member) = match reader(&visitor, &req) {
        Ok(found) => found,
        Err(response) => return *response,
    };
    let view = match view_of(&visitor, &raw) {
        Ok(view) => view,
        Err(response) => return *response,
    };
    let organizer_view = member.is_some();
    let ipk3_link = super::reports::may_open(caller.role);
    let query_view = view.clone();
    let loaded = state
        .read_db(move |conn| {
            check_organization(conn, &caller, &query_view)?;
            Ok(crate::db::read_snapshot(conn, |conn| {
                data::load(conn, &query_view, member)
            })?)
        })
        .await;
    match loaded {
        Ok(data) => render(
            &visitor,
            StatusCode::OK,
            &page(&visitor, &req, &view, data, organizer_view, ipk3_link),
        ),
        Err(error) => error_response(&visitor, &error),
    }
}

// ------------------------------------------------------------------------ who was served

/// One line of a "who was served" table: a value of a dimension.
struct ServedLine {
    key: String,
    label: String,
    attendees: String,
    placed: String,
    rate: String,
}

/// One dimension of "who was served": its chart and table.
struct Served {
    id: &'static str,
    heading: &'static str,
    column: &'static str,
    chart: String,
    lines: Vec<ServedLine>,
}

/// A value of a dimension as people read it (the scorecard's words).
fn value_label(dimension: &str, value: &str, lang: Language) -> String {
    match (dimension, value) {
        (_, "unknown") => t(lang, "scorecard.unknown").to_owned(),
        ("gender" | "disability", _) => {
            t(lang, &format!("scorecard.{dimension}_{value}")).to_owned()
        }
        ("age_band", _) => i18n::fill(lang, "scorecard.years", &[("band", value)]),
        _ => value.to_uppercase(),
    }
}

/// The breakdowns of the totals, every value of every dimension in the contract's order.
fn served(breakdowns: &Breakdowns, lang: Language) -> Vec<Served> {
    Dimension::ALL
        .into_iter()
        .map(|dimension| {
            let id = dimension.as_str();
            let cells = breakdowns.dimension(dimension);
            let values = dimension.values();
            let found: Vec<(&str, Cell)> = values
                .iter()
                .map(|v| (*v, cells.get(*v).cloned().unwrap_or_default()))
                .collect();
            let lines: Vec<ServedLine> = found
                .iter()
                .map(|(value, cell)| ServedLine {
                    key: (*value).to_owned(),
                    label: value_label(id, value, lang),
                    attendees: locale::number(cell.attendees, lang),
                    placed: locale::number(cell.placed_attendees, lang),
                    rate: rate_text(cell.placement_rate, lang),
                })
                .collect();
            let heading = t(lang, &format!("scorecard.by_{id}"));
            let bars: Vec<charts::Bar> = found
                .iter()
                .zip(&lines)
                .map(|((_, cell), line)| charts::Bar {
                    label: line.label.clone(),
                    value: cell.placement_rate.unwrap_or(0.0),
                    text: line.rate.clone(),
                })
                .collect();
            Served {
                id,
                heading,
                column: t(lang, &format!("scorecard.col_{id}")),
                chart: charts::bars(
                    &i18n::fill(
                        lang,
                        "dash.served_chart",
                        &[("dimension", &heading.to_lowercase())],
                    ),
                    &bars,
                ),
                lines,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_read_as_people_say_them() {
        assert_eq!(period_label("2026-03", Language::Id), "Maret 2026");
        assert_eq!(period_label("2026-03", Language::En), "March 2026");
        assert_eq!(period_label("2026-Q1", Language::Id), "Triwulan I 2026");
        assert_eq!(period_label("2026-Q4", Language::En), "Q4 2026");
    }
}
