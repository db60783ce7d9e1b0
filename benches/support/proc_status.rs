//! What the kernel says of this process's memory, for the benches that
//! report peak memory.

/// A field of /proc/self/status (`VmHWM:`, `VmRSS:`), in MiB (Linux only;
/// 0 elsewhere).
pub fn status_mib(field: &str) -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| {
            l.strip_prefix(field)?
                .trim()
                .strip_suffix("kB")?
                .trim()
                .parse::<f64>()
                .ok()
        })
        .map_or(0.0, |kib| kib / 1024.0)
}
