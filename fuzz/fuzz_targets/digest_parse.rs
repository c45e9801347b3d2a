//! `Authorization` headers come straight from the network: parsing one must
//! never panic, and what it accepts must carry every required parameter.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sb_sip::digest::DigestResponse;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data)
        && let Ok(parsed) = DigestResponse::parse(text)
    {
        assert!(parsed.qop.is_none() || (parsed.nc.is_some() && parsed.cnonce.is_some()));
    }
});
