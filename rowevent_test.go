package gqlbase

import (
	"reflect"
	"testing"
)

func TestChangedColumnsOfAnUpdateAreTheOnesWhoseValueDiffers(t *testing.T) {
	old := &Row{Data: []byte(`{"a":1,"b":"x","c":[1,2],"d":null}`)}
	row := &Row{Data: []byte(`{"a":1,"b":"y","c":[1,2,3],"d":null}`)}
	e := &RowEvent{Kind: RowUpdated, Row: row, Old: old}
	if got := e.ChangedColumns(); !reflect.DeepEqual(got, []string{"b", "c"}) {
		t.Errorf("ChangedColumns of an update = %v, want [b c]", got)
	}
	created := &RowEvent{Kind: RowCreated, Row: row}
	if got := created.ChangedColumns(); !reflect.DeepEqual(got, []string{"a", "b", "c", "d"}) {
		t.Errorf("ChangedColumns of a creation = %v, want every column in order", got)
	}
	if got := (&RowEvent{Kind: RowDeleted}).ChangedColumns(); len(got) != 0 {
		t.Errorf("ChangedColumns without a row = %v, want none", got)
	}
}
