//! A QR code as a PNG image, for email: most mail programs show neither SVG nor data URLs, but
//! every one shows an inline PNG.

use std::io::Write;

use qrcode::{Color, EcLevel, QrCode};

/// Pixels per QR module, and the quiet zone around the code in modules.
const SCALE: usize = 8;
const QUIET: usize = 4;

/// The QR code of `data` as a black-and-white PNG (1 bit per pixel), about 260 px wide.
pub fn qr_png(data: &str) -> Result<Vec<u8>, String> {
    let code = QrCode::with_error_correction_level(data.as_bytes(), EcLevel::M)
        .map_err(|e| e.to_string())?;
    let modules = code.width();
    let colors = code.to_colors();
    let side = (modules + 2 * QUIET) * SCALE;
    let row_bytes = side.div_ceil(8);
    let mut raw = Vec::with_capacity(side * (row_bytes + 1));
    for y in 0..side {
        raw.push(0); // filter: none
        let mut row = vec![0xffu8; row_bytes]; // 1 is white
        let my = (y / SCALE).checked_sub(QUIET).filter(|m| *m < modules);
        if let Some(my) = my {
            for x in 0..side {
                let mx = (x / SCALE).checked_sub(QUIET).filter(|m| *m < modules);
                if let Some(mx) = mx {
                    if colors[my * modules + mx] == Color::Dark {
                        row[x / 8] &= !(0x80 >> (x % 8));
                    }
                }
            }
        }
        raw.extend_from_slice(&row);
    }
    let mut zlib = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    zlib.write_all(&raw).map_err(|e| e.to_string())?;
    let idat = zlib.finish().map_err(|e| e.to_string())?;

    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::with_capacity(13);
    ihdr.extend_from_slice(&(side as u32).to_be_bytes());
    ihdr.extend_from_slice(&(side as u32).to_be_bytes());
    ihdr.extend_from_slice(&[1, 0, 0, 0, 0]); // 1-bit greyscale, deflate, no filter, no interlace
    chunk(&mut png, b"IHDR", &ihdr);
    chunk(&mut png, b"IDAT", &idat);
    chunk(&mut png, b"IEND", &[]);
    Ok(png)
}

fn chunk(png: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    png.extend_from_slice(&(data.len() as u32).to_be_bytes());
    png.extend_from_slice(kind);
    png.extend_from_slice(data);
    let mut crc = crc32fast::Hasher::new();
    crc.update(kind);
    crc.update(data);
    png.extend_from_slice(&crc.finalize().to_be_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_png_is_well_formed() {
        let png = qr_png("AbCdEfGhIjKlMnOpQrStUv").unwrap();
        assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"));
        assert_eq!(&png[12..16], b"IHDR");
        let width = u32::from_be_bytes([png[16], png[17], png[18], png[19]]);
        assert_eq!(width % SCALE as u32, 0);
        assert!(width >= 256);
        assert!(
            png.ends_with(&[0xae, 0x42, 0x60, 0x82]),
            "IEND's CRC closes the file"
        );
        assert!(png.len() < 4096, "{} bytes", png.len());
    }
}
