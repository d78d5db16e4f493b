"""Text tools shared by every stage: normalization for matching, language detection, near-duplicate
fingerprints."""
