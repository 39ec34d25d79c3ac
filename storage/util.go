package storage

import "sort"

func sortByID[T any](items []T, id func(T) int64) {
	sort.Slice(items, func(i, j int) bool { return id(items[i]) < id(items[j]) })
}
