//! Reports that staff file with the labour authorities, computed from the same rows as the
//! metrics and under the same rule of who sees which fairs.
//!
//! - [`ipk3`]: the Disnaker labour-market report (*Informasi Pasar Kerja*, IPK III tables) of
//!   one province and semester, as an XLSX workbook (`docs/ipk3.md`).

pub mod ipk3;
