//! The pages, one file per area. Each handler reads the visitor, calls domain functions, and
//! renders a template; a page holds no rule of its own.

pub mod account;
pub mod booth;
pub mod confirm;
pub mod dashboard;
pub mod desk;
pub mod door;
pub mod email_links;
pub mod events;
pub mod follow_up;
pub mod home;
pub mod phone;
pub mod profile;
pub mod reports;
pub mod scorecard;
pub mod seeker;
