package instore

import (
	"container/list"
	"context"
	"crypto/sha256"
	"sync"
	"time"
)

// DedupStore remembers the ids of the events a WebhookHandler has handled,
// so that a redelivery is dropped. Implementations must be safe for
// concurrent use. An error from Seen is answered with a 500 (the event is
// delivered again later); an error from Mark only means that a redelivery
// may run fn again.
type DedupStore interface {
	// Seen reports whether the event id was marked and is still
	// remembered.
	Seen(ctx context.Context, id string) (bool, error)
	// Mark remembers the event id as handled.
	Mark(ctx context.Context, id string) error
}

// Defaults of the DedupStore each WebhookHandler (and each Alipay+ and PPRO
// notification handler) gets. Our sources do not say for how long Omise
// retries a delivery; a day is our choice. A duplicate that arrives after
// its id was forgotten runs fn again, which is why fn must be idempotent.
const (
	DefaultDedupSize = 10000
	DefaultDedupTTL  = 24 * time.Hour
)

// MaxDedupIDLen is the longest id a MemoryDedupStore keeps as it is; a
// longer one is kept as its SHA-256 digest, so that no id, however long,
// costs more than this.
const MaxDedupIDLen = 64

// MemoryDedupStore is a DedupStore in memory, for one process: it remembers
// at most a fixed number of ids, each for a fixed time, forgetting the least
// recently used first.
//
// Its memory is bounded by its size, whatever the ids: an id is kept in at
// most MaxDedupIDLen bytes (a longer one as its digest), and each entry costs
// at most about 300 bytes with its map slot and list element, so a store of
// DefaultDedupSize ids holds at most about 3 MB. (TestMemoryDedupStoreBound
// measures it: about 1.8 MB for 10,000 ids, each longer than the cap.)
type MemoryDedupStore struct {
	max int
	ttl time.Duration

	mu  sync.Mutex
	lru list.List // of *dedupEntry; the front is the most recently used
	ids map[string]*list.Element
}

type dedupEntry struct {
	id      string
	expires time.Time
}

// NewMemoryDedupStore returns an empty store of at most size ids, each
// remembered for ttl after it was marked. Both must be positive.
func NewMemoryDedupStore(size int, ttl time.Duration) (*MemoryDedupStore, error) {
	if size < 1 || ttl <= 0 {
		return nil, configError("dedup store size and TTL must be positive")
	}
	return newMemoryDedupStore(size, ttl), nil
}

func newMemoryDedupStore(size int, ttl time.Duration) *MemoryDedupStore {
	return &MemoryDedupStore{max: size, ttl: ttl, ids: make(map[string]*list.Element)}
}

// Seen reports whether id was marked less than the store's TTL ago and not
// forgotten since. It never fails.
func (s *MemoryDedupStore) Seen(_ context.Context, id string) (bool, error) {
	id = dedupKey(id)
	now := time.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	el, ok := s.ids[id]
	if !ok {
		return false, nil
	}
	if !now.Before(el.Value.(*dedupEntry).expires) {
		s.remove(el)
		return false, nil
	}
	s.lru.MoveToFront(el)
	return true, nil
}

// Mark remembers id for the store's TTL, forgetting the least recently used
// id when the store is full. It never fails.
func (s *MemoryDedupStore) Mark(_ context.Context, id string) error {
	id = dedupKey(id)
	now := time.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	if el, ok := s.ids[id]; ok {
		el.Value.(*dedupEntry).expires = now.Add(s.ttl)
		s.lru.MoveToFront(el)
		return nil
	}
	s.ids[id] = s.lru.PushFront(&dedupEntry{id: id, expires: now.Add(s.ttl)})
	// Expired ids are dropped from the back first, then the least recently
	// used while the store is over its size.
	for back := s.lru.Back(); back != nil; back = s.lru.Back() {
		if s.lru.Len() <= s.max && now.Before(back.Value.(*dedupEntry).expires) {
			break
		}
		s.remove(back)
	}
	return nil
}

// Len returns how many ids the store holds, expired ones included until
// they are dropped.
func (s *MemoryDedupStore) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lru.Len()
}

func (s *MemoryDedupStore) remove(el *list.Element) {
	s.lru.Remove(el)
	delete(s.ids, el.Value.(*dedupEntry).id)
}

// dedupKey is how the store keeps id: as it is up to MaxDedupIDLen bytes,
// else as its SHA-256 digest, in a form no id of that length can take (it
// starts with a byte an id from a sender would not: 0x00), so that a long id
// and a short one never collide.
func dedupKey(id string) string {
	if len(id) <= MaxDedupIDLen {
		return id
	}
	sum := sha256.Sum256([]byte(id))
	return "\x00" + string(sum[:])
}
