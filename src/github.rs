//! GitHub Actions integration: annotations, job summary, step outputs.
