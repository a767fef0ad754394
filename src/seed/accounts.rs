//! The first phase: the admin and ministry accounts, the organizer offices (the provincial
//! manpower offices, the biggest provinces first) and the employers, each run by one owner.

use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::Rng;

use super::gen::{bar, id_at, person_name, province_index};
use super::rows::{insert_rows, MembershipRow, OrgRow, UserRow};
use super::{data, Clock, Org, SeedError, SeedOptions, SeedSummary};
use crate::auth::Role;
use crate::db::schema::{memberships, organizations, users};
use crate::db::DbConn;
use crate::organizations::{MemberRole, OrganizationKind, Ownership};

/// Who the seeded data belongs to.
pub(super) struct Accounts {
    pub admin_id: String,
    pub ministry_id: String,
    pub organizers: Vec<Org>,
    pub employers: Vec<Org>,
    /// The employers of each province, by index into `employers`.
    pub employers_by_province: Vec<Vec<usize>>,
}

/// Writes the accounts and organizations; all sign in with the same password (`password_hash`).
pub(super) fn write(
    conn: &mut DbConn,
    rng: &mut StdRng,
    clock: &Clock,
    options: &SeedOptions,
    password_hash: &str,
    domain: &str,
    summary: &mut SeedSummary,
) -> Result<Accounts, SeedError> {
    let setup_time = clock.setup_time;
    let mut user_rows = Vec::new();
    let mut make_user = |rng: &mut StdRng, email: String, role: Role| {
        let id = id_at(rng, setup_time);
        let female = rng.random_bool(0.5);
        user_rows.push(UserRow {
            id: id.clone(),
            email,
            password_hash: password_hash.to_owned(),
            full_name: person_name(rng, female),
            role: role.as_str(),
            created_at: setup_time,
            updated_at: setup_time,
        });
        id
    };
    let admin_id = make_user(rng, format!("admin@{domain}"), Role::Admin);
    let ministry_id = make_user(rng, format!("ministry@{domain}"), Role::Ministry);
    let organizer_count = options.organizers.clamp(1, data::PROVINCES.len());
    let mut org_rows = Vec::new();
    let mut membership_rows = Vec::new();
    let mut organizers: Vec<Org> = Vec::new();
    let owner = |organization_id: &str, user_id: &str| MembershipRow {
        organization_id: organization_id.to_owned(),
        user_id: user_id.to_owned(),
        role: MemberRole::Owner,
        created_at: setup_time,
    };
    // Organizers: the provincial manpower offices, the biggest provinces first.
    let mut by_weight: Vec<usize> = (0..data::PROVINCES.len()).collect();
    by_weight.sort_by_key(|&i| std::cmp::Reverse(data::PROVINCES[i].3));
    for (n, &province) in by_weight.iter().take(organizer_count).enumerate() {
        let (code, cities, _, _) = data::PROVINCES[province];
        let user_id = make_user(rng, format!("organizer{}@{domain}", n + 1), Role::Organizer);
        let id = id_at(rng, setup_time);
        let name = crate::provinces::find(code).map_or(code, |p| p.name);
        org_rows.push(OrgRow {
            id: id.clone(),
            name: format!("Dinas Tenaga Kerja Provinsi {name}"),
            kind: OrganizationKind::Organizer,
            province_code: code,
            city: cities[0],
            sector_code: None,
            registration_number: None,
            ownership: Ownership::Public.as_str(),
            created_by: user_id.clone(),
            created_at: setup_time,
            updated_at: setup_time,
            // The provincial offices are verified by the ministry, so their fairs can publish.
            verified_at: Some(setup_time),
            verified_by: Some(ministry_id.clone()),
            verification_note: Some("Dinas tenaga kerja provinsi (data contoh)"),
        });
        membership_rows.push(owner(&id, &user_id));
        organizers.push(Org {
            id,
            user_id,
            province,
        });
    }
    let mut employers: Vec<Org> = Vec::new();
    let mut employers_by_province: Vec<Vec<usize>> = vec![Vec::new(); data::PROVINCES.len()];
    for n in 0..options.employers.max(1) {
        let province = province_index(rng);
        let (code, cities, _, _) = data::PROVINCES[province];
        let user_id = make_user(rng, format!("employer{}@{domain}", n + 1), Role::Employer);
        let id = id_at(rng, setup_time);
        // About one employer in twelve is state-owned (BUMN/BUMD): the 2% disability quota.
        let public = rng.random_bool(0.08);
        let name = format!(
            "PT {} {} {}{}",
            data::COMPANY_FIRST.choose(rng).unwrap_or(&"Maju"),
            data::COMPANY_SECOND.choose(rng).unwrap_or(&"Jaya"),
            cities.choose(rng).unwrap_or(&cities[0]),
            if public { " (Persero)" } else { "" }
        );
        org_rows.push(OrgRow {
            id: id.clone(),
            name,
            kind: OrganizationKind::Employer,
            province_code: code,
            city: cities.choose(rng).unwrap_or(&cities[0]),
            sector_code: data::SECTORS.choose(rng).copied(),
            registration_number: Some(format!(
                "{:013}",
                rng.random_range(0..10_000_000_000_000u64)
            )),
            ownership: if public {
                Ownership::Public
            } else {
                Ownership::Private
            }
            .as_str(),
            created_by: user_id.clone(),
            created_at: setup_time,
            updated_at: setup_time,
            verified_at: None,
            verified_by: None,
            verification_note: None,
        });
        membership_rows.push(owner(&id, &user_id));
        employers_by_province[province].push(n);
        employers.push(Org {
            id,
            user_id,
            province,
        });
    }
    summary.admin_email = format!("admin@{domain}");
    summary.ministry_email = format!("ministry@{domain}");
    summary.organizer_email = format!("organizer1@{domain}");
    summary.employer_email = format!("employer1@{domain}");
    summary.users = user_rows.len();
    summary.organizations = org_rows.len();
    let b = bar(options, user_rows.len() + org_rows.len(), "accounts");
    insert_rows!(conn, users::table, user_rows, b);
    insert_rows!(conn, organizations::table, org_rows, b);
    insert_rows!(conn, memberships::table, membership_rows, b);
    b.finish();
    Ok(Accounts {
        admin_id,
        ministry_id,
        organizers,
        employers,
        employers_by_province,
    })
}
