//! Every setting is checked once, and a bad one is named with what is allowed.

use spurious_lab::config::{Augment, Config, ConfigError, KEYS, from_pairs, parse_decimal};

fn error_of(key: &str, value: &str) -> String {
    match from_pairs([(key, value)]) {
        Ok(_) => panic!("{key}={value} was accepted"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn defaults_are_the_case_study() {
    let config = from_pairs([]).unwrap();
    assert_eq!(
        (config.n_train, config.n_test, config.epochs, config.batch),
        (5000, 5000, 30, 8)
    );
    assert_eq!(
        (config.s_train, config.s_ood, config.noise),
        (0.2, 0.1, 0.1)
    );
    assert_eq!((config.lr, config.step, config.gamma), (1e-3, 10, 0.5));
    assert_eq!(
        (config.domains, config.s_min, config.s_max),
        (10, -1.0, 1.0)
    );
    assert_eq!((config.augment, config.augment_p), (Augment::Shuffle, 1.0));
    assert_eq!((config.runs, &config.hidden), (10, &vec![32, 32]));
}

#[test]
fn every_key_reads_back_what_it_was_given() {
    let values = [
        ("seed", "18446744073709551615"),
        ("runs", "3"),
        ("n_train", "1234"),
        ("n_test", "77"),
        ("s_train", "-0.35"),
        ("s_ood", "1.5"),
        ("noise", "0.25"),
        ("epochs", "12"),
        ("batch", "16"),
        ("lr", "0.01"),
        ("step", "4"),
        ("gamma", "0.9"),
        ("domains", "7"),
        ("s_min", "-0.5"),
        ("s_max", "0.75"),
        ("augment", "noise"),
        ("augment_p", "0.3"),
        ("hidden", "16,8,4"),
    ];
    assert_eq!(values.map(|v| v.0), KEYS);
    let config = from_pairs(values).unwrap();
    for (key, value) in values {
        assert_eq!(config.get(key).as_deref(), Some(value), "{key}");
    }
    assert_eq!(config.changed_pairs().len(), KEYS.len());
    assert!(from_pairs([]).unwrap().changed_pairs().is_empty());
}

#[test]
fn bad_values_name_the_key_the_value_and_what_is_allowed() {
    let cases = [
        ("runs", "0", "1 to 100"),
        ("runs", "ten", "whole number"),
        ("n_train", "5", "10 to 200000"),
        ("n_test", "-3", "1 to 200000"),
        ("s_train", "4", "-3 to 3"),
        ("s_ood", "abc", "-3 to 3"),
        ("noise", "0", "above 0"),
        ("noise", "inf", "at most 3"),
        ("epochs", "100000", "1 to 1000"),
        ("lr", "NaN", "above 0"),
        ("gamma", "1.5", "at most 1"),
        ("augment", "mixup", "shuffle or noise"),
        ("augment_p", "-0.1", "0 to 1"),
        ("hidden", "", "layer widths"),
        ("hidden", "32,0", "from 1 to 256"),
        ("hidden", "1,2,3,4,5", "1 to 4"),
        ("seed", "-1", "2^64"),
    ];
    for (key, value, allowed) in cases {
        let message = error_of(key, value);
        assert!(message.contains(key), "{message}");
        assert!(message.contains(&format!("'{value}'")), "{message}");
        assert!(message.contains(allowed), "{key}={value}: {message}");
    }
}

#[test]
fn limits_between_settings_are_checked() {
    let message = from_pairs([("n_train", "100"), ("batch", "101")])
        .unwrap_err()
        .to_string();
    assert!(
        message.contains("batch") && message.contains("n_train (100)"),
        "{message}"
    );
    let message = from_pairs([("n_train", "10"), ("domains", "11")])
        .unwrap_err()
        .to_string();
    assert!(message.contains("domains"), "{message}");
    let message = from_pairs([("s_min", "0.5"), ("s_max", "0.1")])
        .unwrap_err()
        .to_string();
    assert!(
        message.contains("s_min") && message.contains("s_max (0.1)"),
        "{message}"
    );
    assert!(from_pairs([("s_min", "0.3"), ("s_max", "0.3")]).is_ok());
}

#[test]
fn unknown_keys_list_the_known_ones() {
    let error = from_pairs([("sigma", "0.1")]).unwrap_err();
    assert_eq!(error, ConfigError::UnknownKey("sigma".into()));
    let message = error.to_string();
    assert!(
        message.contains("'sigma'") && message.contains("noise, epochs"),
        "{message}"
    );
}

#[test]
fn fields_set_directly_are_checked_too() {
    let config = Config {
        noise: f64::NAN,
        ..Config::default()
    };
    assert!(config.validate().unwrap_err().to_string().contains("noise"));
    let config = Config {
        hidden: vec![],
        ..Config::default()
    };
    assert!(
        config
            .validate()
            .unwrap_err()
            .to_string()
            .contains("hidden")
    );
}

/// Rust's own reading of `text` as an f64, which `parse_decimal` must match. It leaves
/// out only the words `inf`, `infinity` and `NaN`, which no setting allows (a decimal too
/// large still reads as infinity, and the settings refuse it).
fn rust_reads(text: &str) -> Option<u64> {
    let word = text
        .bytes()
        .any(|c| matches!(c.to_ascii_lowercase(), b'a' | b'i' | b'n'));
    text.parse::<f64>().ok().filter(|_| !word).map(f64::to_bits)
}

#[test]
fn decimals_are_read_as_rust_reads_them() {
    // Every string of up to five characters over the alphabet of decimals, and a few
    // longer ones: the same strings are accepted, with the same bits.
    const ALPHABET: &[u8] = b"09.eE+-x ";
    let mut text = Vec::new();
    let mut accepted = 0;
    for len in 0..=5u32 {
        for mut n in 0..ALPHABET.len().pow(len) {
            text.clear();
            for _ in 0..len {
                text.push(ALPHABET[n % ALPHABET.len()]);
                n /= ALPHABET.len();
            }
            let text = std::str::from_utf8(&text).unwrap();
            let ours = parse_decimal(text).map(f64::to_bits);
            assert_eq!(ours, rust_reads(text), "{text:?}");
            accepted += usize::from(ours.is_some());
        }
    }
    assert!(accepted > 500, "only {accepted} accepted");
    for text in [
        "0.1",
        "-0",
        "+.5",
        "1.",
        "1.e5",
        "007",
        "2.5E-3",
        "1e400",
        "1e-400",
        "0x10",
        "1_000",
        "inf",
        "-infinity",
        "NaN",
        "",
        " 1",
        "1 ",
        "٣",
        "4.9e-324",
        "1.7976931348623157e308",
        "0.30000000000000004441",
        "123456789012345678901234567890e-20",
    ] {
        assert_eq!(
            parse_decimal(text).map(f64::to_bits),
            rust_reads(text),
            "{text:?}"
        );
    }
}
