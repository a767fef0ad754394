//! Messages about the account itself: verifying the address, resetting the password.

use super::{compose, greeting, Block};
use crate::mail::{Email, Kind};
use crate::users::Language;

/// After registration: the link that proves the address is the account holder's.
pub fn verify_email(to: &str, name: &str, language: Language, link: &str, hours: i64) -> Email {
    let (subject, body, label, validity) = match language {
        Language::Id => (
            "Konfirmasi alamat email Anda di Bursa",
            "Terima kasih telah mendaftar di Bursa. Buka tautan berikut untuk mengonfirmasi \
             alamat email Anda:",
            "Konfirmasi email",
            format!(
                "Tautan ini berlaku selama {hours} jam dan hanya dapat dipakai sekali. Jika Anda \
                 tidak mendaftar di Bursa, abaikan email ini."
            ),
        ),
        Language::En => (
            "Confirm your email address for Bursa",
            "Thank you for registering with Bursa. Open this link to confirm your email address:",
            "Confirm email",
            format!(
                "The link works once, for {hours} hours. If you did not register with Bursa, \
                 ignore this email."
            ),
        ),
    };
    compose(
        Kind::VerifyEmail,
        to,
        language,
        subject.to_owned(),
        &[
            Block::Text(greeting(language, name)),
            Block::Text(body.to_owned()),
            Block::Link { label, url: link },
            Block::Text(validity),
        ],
    )
}

/// A password reset someone asked for: the link to choose a new password.
pub fn password_reset(to: &str, name: &str, language: Language, link: &str, hours: i64) -> Email {
    let (subject, body, label, validity) = match language {
        Language::Id => (
            "Atur ulang kata sandi Bursa Anda",
            "Kami menerima permintaan untuk mengatur ulang kata sandi akun Bursa Anda. Buka \
             tautan berikut untuk memilih kata sandi baru:",
            "Atur ulang kata sandi",
            format!(
                "Tautan ini berlaku selama {hours} jam dan hanya dapat dipakai sekali. Jika Anda \
                 tidak memintanya, abaikan email ini: kata sandi Anda tidak berubah."
            ),
        ),
        Language::En => (
            "Reset your Bursa password",
            "We received a request to reset the password of your Bursa account. Open this link \
             to choose a new password:",
            "Reset password",
            format!(
                "The link works once, for {hours} hour(s). If you did not ask for it, ignore this \
                 email: your password has not changed."
            ),
        ),
    };
    compose(
        Kind::PasswordReset,
        to,
        language,
        subject.to_owned(),
        &[
            Block::Text(greeting(language, name)),
            Block::Text(body.to_owned()),
            Block::Link { label, url: link },
            Block::Text(validity),
        ],
    )
}
