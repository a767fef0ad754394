//! Integration tests: the real app over HTTP, each test on its own database, on both engines.

#![allow(clippy::unwrap_used)]

mod common;

mod access;
mod applications;
mod audit;
mod auth;
mod browser;
mod cli;
mod email;
mod employer_metrics;
mod errors;
mod events;
mod exports;
mod fair;
mod follow_ups;
mod job_seekers;
mod metrics;
mod openapi;
mod organizations;
mod pages;
mod placements;
mod registrations;
mod rollups;
mod scorecard;
mod seed;
mod smtp;
