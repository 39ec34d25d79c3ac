package cache

import "testing"

func TestLRUEvictsLeastRecentlyUsedAndCallsBack(t *testing.T) {
	var evicted []int
	c, err := NewLRU[int, string](2, func(k int, _ string) { evicted = append(evicted, k) })
	if err != nil {
		t.Fatal(err)
	}
	c.Add(1, "a")
	c.Add(2, "b")
	if _, ok := c.Get(1); !ok { // 2 becomes the least recently used
		t.Fatal("1 missing")
	}
	c.Add(3, "c")
	if len(evicted) != 1 || evicted[0] != 2 {
		t.Fatalf("evicted %v, want [2]", evicted)
	}
	if _, ok := c.Get(2); ok {
		t.Fatal("2 still cached")
	}
	c.Remove(1)
	if len(evicted) != 2 || evicted[1] != 1 {
		t.Fatalf("evicted %v, want [2 1]", evicted)
	}
	if c.Len() != 1 {
		t.Fatalf("len %d, want 1", c.Len())
	}
}

func TestLRUAddKeepsTheEarlierValue(t *testing.T) {
	c, err := NewLRU[string, int](4, nil)
	if err != nil {
		t.Fatal(err)
	}
	if v, had := c.Add("k", 1); had || v != 1 {
		t.Fatalf("first add: %d %v", v, had)
	}
	if v, had := c.Add("k", 2); !had || v != 1 {
		t.Fatalf("second add: %d %v, want the earlier 1", v, had)
	}
}

func TestBoundedZeroValueIsReadyAndBounded(t *testing.T) {
	var b Bounded[int, int]
	b.Size = 3
	for i := range 10 {
		b.LRU().Put(i, i)
	}
	if n := b.LRU().Len(); n != 3 {
		t.Fatalf("%d entries, want 3", n)
	}
	if v, ok := b.LRU().Get(9); !ok || v != 9 {
		t.Fatalf("newest entry: %v %v", v, ok)
	}
	b.LRU().Put(9, 90)
	if v, _ := b.LRU().Get(9); v != 90 {
		t.Fatalf("Put did not replace: %v", v)
	}
	b.LRU().Purge()
	if n := b.LRU().Len(); n != 0 {
		t.Fatalf("%d entries after Purge", n)
	}
	var d Bounded[string, int]
	for i := range DefaultSize + 5 {
		d.LRU().Put(string(rune(i)), i)
	}
	if n := d.LRU().Len(); n != DefaultSize {
		t.Fatalf("default size: %d", n)
	}
}
