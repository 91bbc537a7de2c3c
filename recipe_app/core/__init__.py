"""Process plumbing without Reflex: settings, logging, metrics, start-up checks, limits, prices."""
