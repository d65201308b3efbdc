"""Local state: learner progress and exam attempts, as versioned JSON files written atomically."""
