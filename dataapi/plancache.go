package dataapi

import (
	"encoding/json"
	"sync"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/gqlbase/gqlbase/internal/cache"
)

// maxCachedPlans bounds a schema's statement cache; the least recently used plan goes first.
const maxCachedPlans = 2000

// planCache remembers the statement each query root field compiled to, per schema: the same
// document (gqlgen caches parsed documents, so its fields are the same nodes) with the same
// variables compiles to the same SQL and parameters, and the selection need not be walked
// again. A schema is rebuilt when its tables change, which drops its cache with it.
type planCache struct {
	once sync.Once
	lru  *cache.LRU[planKey, compiledPlan]
}

func (c *planCache) plans() *cache.LRU[planKey, compiledPlan] {
	c.once.Do(func() {
		// The size is a positive constant, so NewLRU cannot fail.
		c.lru, _ = cache.NewLRU[planKey, compiledPlan](maxCachedPlans, nil)
	})
	return c.lru
}

type planKey struct {
	field *ast.Field
	vars  string
}

type compiledPlan struct {
	query  string
	params []any // read only once cached: shared by concurrent requests
}

func (c *planCache) get(k planKey) (compiledPlan, bool) { return c.plans().Get(k) }

func (c *planCache) put(k planKey, p compiledPlan) { c.plans().Add(k, p) }

// variablesKey is the canonical text of an operation's variables (encoding/json sorts map
// keys); "" when there are none.
func variablesKey(vars map[string]any) (string, bool) {
	if len(vars) == 0 {
		return "", true
	}
	b, err := json.Marshal(vars)
	if err != nil {
		return "", false
	}
	return string(b), true
}
