//! The languages the prompt library speaks: the IVR's own type (sb-ivr
//! owns it, so a flow's language reaches the library as it is), and the
//! espeak-ng voice of each.

pub use sb_ivr::Language;

/// The espeak-ng voice. Mandarin is `cmn-latn-pinyin`, not `cmn`: in
/// espeak-ng 1.51 (Debian 12) the `cmn` voice reads the pinyin tone
/// numbers of its own dictionary as English words (一 becomes "yi one",
/// espeak-ng issues #1028 and #1370), the pinyin voice reads them as
/// tones. Both read Latin words as English.
pub(super) fn espeak_voice(language: Language) -> &'static str {
    match language {
        Language::Zh => "cmn-latn-pinyin",
        Language::En => "en-us",
    }
}
