//! Integration tests: the real app over HTTP, each test on its own database, on both engines.

#![allow(clippy::unwrap_used)]

mod common;
mod fixtures;

mod access;
mod account_pages;
mod applications;
mod audit;
mod auth;
mod booth_codes;
mod booth_pages;
mod browser;
mod check_in_batch;
mod cli;
mod confirm_page;
mod desk_pages;
mod door_pages;
mod door_passes;
mod email;
mod employer_metrics;
mod errors;
mod events;
mod export_dialects;
mod exports;
mod fair;
mod fair_notices;
mod follow_up_pages;
mod follow_ups;
mod hardening;
mod job_seekers;
mod metrics;
mod metrics_contract;
mod occupations;
mod openapi;
mod organizations;
mod organizer_verification;
mod pages;
mod participation_notices;
mod pg_restart;
mod phone_accounts;
mod placements;
mod public_pages;
mod registrations;
mod rollups;
mod scorecard;
mod security_accounts;
mod security_fair;
mod security_outcomes;
mod security_seekers;
mod seed;
mod seeker_pages;
mod smtp;
mod web;
mod whatsapp;
mod whatsapp_fake;
