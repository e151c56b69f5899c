-- Admin calls look up the leases still live after a change.
CREATE INDEX replica_leases_expires_at ON replica_leases (expires_at);
