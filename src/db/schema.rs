// The one diesel schema for both engines: ids are UUID text, times are UTC `Timestamp`s.
// Keep in step with migrations/{postgres,sqlite}; the tests run every query on both.

diesel::table! {
    provinces (code) {
        code -> Text,
        name -> Text,
        timezone -> Text,
    }
}

diesel::table! {
    users (id) {
        id -> Text,
        email -> Nullable<Text>,
        password_hash -> Text,
        full_name -> Text,
        role -> Text,
        disabled_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        email_verified_at -> Nullable<Timestamp>,
        language -> Text,
        token_version -> Integer,
        phone -> Nullable<Text>,
        phone_verified_at -> Nullable<Timestamp>,
        whatsapp_consent_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    web_sessions (token_hash) {
        token_hash -> Text,
        user_id -> Text,
        created_at -> Timestamp,
        last_seen_at -> Timestamp,
        expires_at -> Timestamp,
    }
}

diesel::table! {
    refresh_tokens (id) {
        id -> Text,
        user_id -> Text,
        family_id -> Text,
        token_hash -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    login_throttles (user_id) {
        user_id -> Text,
        failures -> Integer,
        last_failure_at -> Timestamp,
        next_attempt_at -> Timestamp,
    }
}

diesel::table! {
    generated_secrets (name) {
        name -> Text,
        value -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    organizations (id) {
        id -> Text,
        name -> Text,
        kind -> Text,
        province_code -> Text,
        city -> Text,
        sector_code -> Nullable<Text>,
        registration_number -> Nullable<Text>,
        created_by -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        ownership -> Text,
        verified_at -> Nullable<Timestamp>,
        verified_by -> Nullable<Text>,
        verification_note -> Nullable<Text>,
    }
}

diesel::table! {
    memberships (organization_id, user_id) {
        organization_id -> Text,
        user_id -> Text,
        role -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    events (id) {
        id -> Text,
        organization_id -> Text,
        title -> Text,
        description -> Text,
        format -> Text,
        venue -> Nullable<Text>,
        province_code -> Text,
        city -> Text,
        starts_at -> Timestamp,
        ends_at -> Timestamp,
        capacity -> Integer,
        budget_idr -> BigInt,
        funding_source -> Text,
        target_placements -> Integer,
        status -> Text,
        created_by -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        published_at -> Nullable<Timestamp>,
        closed_at -> Nullable<Timestamp>,
        cancelled_at -> Nullable<Timestamp>,
        spent_idr -> Nullable<BigInt>,
        closing_notes -> Nullable<Text>,
        registrations_count -> Integer,
        attendees_count -> Integer,
        local_start_date -> Date,
        applications_count -> Integer,
        placements_reported_count -> Integer,
        placements_verified_count -> Integer,
        placements_disputed_count -> Integer,
        placed_attendees_count -> Integer,
        placements_staff_only_count -> Integer,
    }
}

diesel::table! {
    participations (event_id, organization_id) {
        event_id -> Text,
        organization_id -> Text,
        booth -> Nullable<Text>,
        status -> Text,
        requested_by -> Text,
        requested_at -> Timestamp,
        decided_by -> Nullable<Text>,
        decided_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    vacancies (id) {
        id -> Text,
        event_id -> Text,
        organization_id -> Text,
        title -> Text,
        description -> Text,
        occupation_code -> Text,
        openings -> Integer,
        employment_type -> Text,
        salary_min_idr -> Nullable<BigInt>,
        salary_max_idr -> Nullable<BigInt>,
        education_min -> Nullable<Text>,
        location_province_code -> Text,
        location_city -> Text,
        disability_friendly -> Bool,
        closes_at -> Nullable<Timestamp>,
        status -> Text,
        created_by -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    job_seekers (id) {
        id -> Text,
        user_id -> Nullable<Text>,
        full_name -> Text,
        nik_hash -> Text,
        nik_last4 -> Text,
        birth_date -> Nullable<Date>,
        gender -> Text,
        education_level -> Text,
        province_code -> Text,
        city -> Text,
        disability -> Bool,
        disability_type -> Nullable<Text>,
        phone -> Nullable<Text>,
        email -> Nullable<Text>,
        consent_at -> Timestamp,
        consent_recorded_by -> Text,
        created_by -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        number -> Nullable<BigInt>,
        nik_revoked_at -> Nullable<Timestamp>,
        whatsapp_consent_at -> Nullable<Timestamp>,
        whatsapp_consent_recorded_by -> Nullable<Text>,
    }
}

diesel::table! {
    nik_claims (id) {
        id -> Text,
        user_id -> Text,
        nik_hash -> Text,
        nik_last4 -> Text,
        profile -> Text,
        note -> Text,
        status -> Text,
        created_at -> Timestamp,
        holder_job_seeker_id -> Nullable<Text>,
        decided_by -> Nullable<Text>,
        decided_at -> Nullable<Timestamp>,
        decision_note -> Nullable<Text>,
        job_seeker_id -> Nullable<Text>,
    }
}

diesel::table! {
    registrations (id) {
        id -> Text,
        event_id -> Text,
        job_seeker_id -> Text,
        check_in_code -> Text,
        registered_at -> Timestamp,
        registered_by -> Text,
        checked_in_at -> Nullable<Timestamp>,
        checked_in_by -> Nullable<Text>,
        updated_at -> Timestamp,
        /// Generated by the database from `check_in_code`: never written.
        check_in_key -> Text,
    }
}

diesel::table! {
    applications (id) {
        id -> Text,
        vacancy_id -> Text,
        job_seeker_id -> Text,
        status -> Text,
        applied_at -> Timestamp,
        created_by -> Text,
        updated_at -> Timestamp,
        share_contact -> Bool,
    }
}

diesel::table! {
    application_transitions (id) {
        id -> Text,
        application_id -> Text,
        status -> Text,
        at -> Timestamp,
        actor_user_id -> Text,
    }
}

diesel::table! {
    placements (id) {
        id -> Text,
        application_id -> Text,
        vacancy_id -> Text,
        event_id -> Text,
        job_seeker_id -> Text,
        employer_id -> Text,
        status -> Text,
        start_date -> Date,
        salary_idr -> BigInt,
        contract_type -> Text,
        occupation_code -> Text,
        flags -> Text,
        reported_by -> Text,
        reported_at -> Timestamp,
        confirmed_at -> Nullable<Timestamp>,
        disputed_at -> Nullable<Timestamp>,
        dispute_reason -> Nullable<Text>,
        verified_at -> Nullable<Timestamp>,
        verified_by -> Nullable<Text>,
        verification_method -> Nullable<Text>,
        verification_note -> Nullable<Text>,
        retracted_at -> Nullable<Timestamp>,
        retracted_by -> Nullable<Text>,
        retraction_note -> Nullable<Text>,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    placement_confirmations (token_hash) {
        token_hash -> Text,
        placement_id -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    follow_ups (id) {
        id -> Text,
        placement_id -> Text,
        checked_on -> Date,
        employed -> Bool,
        same_employer -> Bool,
        source -> Text,
        recorded_by -> Text,
        recorded_at -> Timestamp,
    }
}

diesel::table! {
    idempotency_keys (user_id, key) {
        user_id -> Text,
        key -> Text,
        request_hash -> Text,
        response_status -> Integer,
        response_body -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    audit_log (seq) {
        seq -> BigInt,
        id -> Text,
        at -> Timestamp,
        actor_user_id -> Nullable<Text>,
        action -> Text,
        entity -> Text,
        entity_id -> Text,
        event_id -> Nullable<Text>,
        changes -> Text,
        prev_hash -> Text,
        hash -> Text,
    }
}

diesel::table! {
    audit_pending (pending_seq) {
        pending_seq -> BigInt,
        id -> Text,
        at -> Timestamp,
        actor_user_id -> Nullable<Text>,
        action -> Text,
        entity -> Text,
        entity_id -> Text,
        event_id -> Nullable<Text>,
        changes -> Text,
    }
}

diesel::table! {
    event_seeker_additions (event_id, number) {
        event_id -> Text,
        number -> BigInt,
    }
}

diesel::table! {
    audit_head (id) {
        id -> Integer,
        seq -> BigInt,
        hash -> Text,
    }
}

diesel::table! {
    outbox (id) {
        id -> Text,
        kind -> Text,
        recipient -> Text,
        language -> Text,
        subject -> Text,
        body_text -> Text,
        body_html -> Text,
        attachments -> Text,
        status -> Text,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        locked_until -> Nullable<Timestamp>,
        locked_by -> Nullable<Text>,
        last_error -> Nullable<Text>,
        created_at -> Timestamp,
        sent_at -> Nullable<Timestamp>,
        channel -> Text,
        provider_message_id -> Nullable<Text>,
    }
}

diesel::table! {
    phone_codes (id) {
        id -> Text,
        user_id -> Text,
        code_hash -> Text,
        purpose -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
        attempts -> Integer,
    }
}

diesel::table! {
    email_tokens (token_hash) {
        token_hash -> Text,
        user_id -> Text,
        purpose -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    follow_up_reminders (placement_id, checkpoint) {
        placement_id -> Text,
        checkpoint -> Integer,
        queued_at -> Timestamp,
    }
}

diesel::joinable!(refresh_tokens -> users (user_id));
diesel::joinable!(login_throttles -> users (user_id));
diesel::joinable!(web_sessions -> users (user_id));
diesel::joinable!(email_tokens -> users (user_id));
diesel::joinable!(phone_codes -> users (user_id));
diesel::joinable!(memberships -> organizations (organization_id));
diesel::joinable!(memberships -> users (user_id));
diesel::joinable!(events -> organizations (organization_id));
diesel::joinable!(participations -> events (event_id));
diesel::joinable!(participations -> organizations (organization_id));
diesel::joinable!(vacancies -> events (event_id));
diesel::joinable!(vacancies -> organizations (organization_id));
diesel::joinable!(registrations -> events (event_id));
diesel::joinable!(registrations -> job_seekers (job_seeker_id));
diesel::joinable!(applications -> vacancies (vacancy_id));
diesel::joinable!(applications -> job_seekers (job_seeker_id));
diesel::joinable!(application_transitions -> applications (application_id));
diesel::joinable!(placements -> applications (application_id));
diesel::joinable!(placements -> vacancies (vacancy_id));
diesel::joinable!(placements -> events (event_id));
diesel::joinable!(placements -> job_seekers (job_seeker_id));
diesel::joinable!(placements -> organizations (employer_id));
diesel::joinable!(placement_confirmations -> placements (placement_id));
diesel::joinable!(follow_ups -> placements (placement_id));

diesel::table! {
    event_seeker_sets (event_id) {
        event_id -> Text,
        seekers -> Binary,
    }
}

diesel::joinable!(event_seeker_sets -> events (event_id));
diesel::joinable!(event_seeker_additions -> events (event_id));

diesel::table! {
    event_attendee_additions (registration_id) {
        registration_id -> Text,
        event_id -> Text,
    }
}

diesel::joinable!(event_attendee_additions -> registrations (registration_id));

diesel::table! {
    event_breakdown_cells (event_id, dimension, value) {
        event_id -> Text,
        dimension -> Text,
        value -> Text,
        attendees -> Integer,
        placed_attendees -> Integer,
    }
}

diesel::joinable!(event_breakdown_cells -> events (event_id));

diesel::table! {
    event_retention (event_id) {
        event_id -> Text,
        retention_90d_checked -> Integer,
        retention_90d_employed -> Integer,
        retention_180d_checked -> Integer,
        retention_180d_employed -> Integer,
    }
}

diesel::joinable!(event_retention -> events (event_id));

diesel::table! {
    door_passes (id) {
        id -> Text,
        event_id -> Text,
        label -> Text,
        token_hash -> Text,
        created_by -> Text,
        created_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
        revoked_by -> Nullable<Text>,
        last_used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    door_scans (event_id, client_id) {
        event_id -> Text,
        client_id -> Text,
        status -> Text,
        registration_id -> Nullable<Text>,
        scanned_at -> Timestamp,
        recorded_at -> Timestamp,
        recorded_by -> Text,
        door_pass_id -> Nullable<Text>,
    }
}

diesel::joinable!(door_passes -> events (event_id));
diesel::joinable!(door_scans -> events (event_id));

diesel::allow_tables_to_appear_in_same_query!(
    provinces,
    users,
    refresh_tokens,
    web_sessions,
    login_throttles,
    generated_secrets,
    organizations,
    memberships,
    events,
    participations,
    vacancies,
    job_seekers,
    nik_claims,
    registrations,
    applications,
    application_transitions,
    placements,
    placement_confirmations,
    follow_ups,
    idempotency_keys,
    audit_log,
    audit_head,
    audit_pending,
    event_seeker_sets,
    event_seeker_additions,
    event_attendee_additions,
    event_breakdown_cells,
    event_retention,
    outbox,
    email_tokens,
    follow_up_reminders,
    phone_codes,
    door_passes,
    door_scans,
);
