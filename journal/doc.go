// Package journal keeps an [instore.Journal] in SQLite (one file on a
// till) or PostgreSQL (one database for a fleet of POS backends), through
// database/sql, so that the record of money in flight outlives the process
// that sent it.
//
// The rule that keeps money safe: a sale is written, and committed to the
// disk, before its pay leaves the machine; every change of its state is
// committed before the Checkout acts on it or returns it; refunds likewise.
// Each Record, Update, RecordRefund and UpdateRefund is one transaction
// that returns only once committed, and a sale's history row is written in
// the same transaction as the sale, so a write is never half kept. A
// process killed at any moment leaves, at worst, a sale in state recorded,
// pending or cancelling: "a pay may be out there". Whoever finds it (a
// Collect retried with the same request id, or Recover) inquires, and never
// pays again.
//
//	j, err := journal.OpenSQLite(ctx, "/var/lib/pos/journal.db")
//	...
//	defer j.Close()
//	checkout, err := instore.NewCheckout(instore.WithJournal(j), ...)
//
// # Mechanism
//
// Ownership is optimistic. A sale row carries a version, its owner and the
// end of the owner's lease. Update is a compare-and-swap (UPDATE ... WHERE
// request_id = ? AND version = ?): zero rows means someone else wrote the
// sale since it was read, and the write fails with
// [instore.ErrJournalConflict] without touching anything. Stale lists the
// sales in flight whose lease ran out; a process takes one over by an
// Update at the version it read, so of several processes that try, exactly
// one wins. Stale is a plain read, oldest first: a fleet recovering at
// once sees the same candidates and each loser pays one UPDATE that
// matches nothing. Stale sales are rare (they follow a crash), so this
// costs less than a claim marker would in code and in writes.
//
// SQLite runs in WAL mode with synchronous=FULL (a commit survives a power
// cut), foreign keys on, a busy timeout, and write transactions that take
// the write lock at BEGIN, so writers queue rather than fail. Writes of one
// Store also queue in the process, which is faster than SQLite's polling
// busy handler. PostgreSQL runs at READ COMMITTED, where the
// compare-and-swap is exact (a concurrent UPDATE re-checks the version
// after the first commits); reads of a sale with its refunds and history
// are one REPEATABLE READ snapshot. Its tables live in a schema of their
// own ([DefaultSchema], or [WithSchema]).
//
// The schema is versioned: the migrations in migrations/<backend>/ are
// applied in order at Open, in one transaction (PostgreSQL: under an
// advisory lock, so processes opening at once are safe). A database whose
// version is newer than this code knows is refused with
// [ErrSchemaTooNew]. Times are stored in UTC at microsecond precision and
// returned so; money is two columns, an int64 amount in minor units and
// the currency.
//
// # What it covers, and what it cannot
//
// Covered: a crash or kill of the process at any instant; a power cut on
// the till (SQLite, synchronous=FULL); two processes on one till's file;
// a fleet on one PostgreSQL, any member of which may die; retries of a
// sale by request id.
//
// Not covered:
//   - The disk, or the database, lost with the journal. The journal is the
//     record of what may be in flight; without it, reconcile against the
//     acquirer's own records (the instore command's reconcile).
//   - A PostgreSQL that acknowledges commits before they are durable
//     (synchronous_commit off, or an asynchronous replica promoted after a
//     failover): a write the journal returned may be gone.
//   - Clock skew between fleet members larger than a fraction of the lease.
//     A lease is a time written by one machine and read against another's
//     clock: a member whose clock runs ahead takes over live sales early.
//     The compare-and-swap still lets only one of them write, and the live
//     owner stops at its next write (ErrJournalConflict), but until then
//     both may be talking to the acquirer about the same sale. Keep clocks
//     synchronised (NTP) well within the lease.
//   - An SQLite file on a network file system, whose locks SQLite cannot
//     trust.
package journal
