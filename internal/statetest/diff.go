// Package statetest compares the in-memory state of two engines (or two
// extensions) field by field, unexported fields included, so that a
// checkpoint that forgets a field of the state fails a test: the state
// restored from a checkpoint and replayed must equal the state of a full
// replay.
package statetest

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"reflect"
	"time"
	"unsafe"
)

// Diff walks a and b (pointers to the same type) and returns the paths
// where they differ, at most max. Fields named in skip (at any depth) and
// values of kinds that are not state (channels, functions, loggers,
// mutexes) are not compared. Times compare by instant; a nil and an
// empty slice or map are equal.
func Diff(a, b any, skip map[string]bool, max int) []string {
	d := &differ{skip: skip, max: max, seen: map[[2]uintptr]bool{}, fwd: map[ptrKey]uintptr{}, back: map[ptrKey]uintptr{}}
	d.walk("", open(reflect.ValueOf(a)), open(reflect.ValueOf(b)))
	return d.out
}

type differ struct {
	skip map[string]bool
	max  int
	out  []string
	seen map[[2]uintptr]bool
	fwd  map[ptrKey]uintptr // a's pointers to the b pointer met at the same place
	back map[ptrKey]uintptr
}

type ptrKey struct {
	t reflect.Type
	p uintptr
}

var (
	timeType   = reflect.TypeOf(time.Time{})
	loggerType = reflect.TypeOf(slog.Logger{})
	rawType    = reflect.TypeOf(json.RawMessage(nil))
)

// open makes a value obtained through an unexported field readable.
func open(v reflect.Value) reflect.Value {
	if v.IsValid() && !v.CanInterface() && v.CanAddr() {
		return reflect.NewAt(v.Type(), unsafe.Pointer(v.UnsafeAddr())).Elem()
	}
	return v
}

func (d *differ) add(path, format string, args ...any) {
	if len(d.out) < d.max {
		d.out = append(d.out, path+": "+fmt.Sprintf(format, args...))
	}
}

func (d *differ) walk(path string, a, b reflect.Value) {
	if len(d.out) >= d.max {
		return
	}
	if a.IsValid() != b.IsValid() {
		d.add(path, "one is missing")
		return
	}
	if !a.IsValid() {
		return
	}
	if a.Type() != b.Type() {
		d.add(path, "types %s and %s", a.Type(), b.Type())
		return
	}
	t := a.Type()
	if t == timeType {
		ta, tb := asTime(a), asTime(b)
		if !ta.Equal(tb) {
			d.add(path, "%s != %s", ta, tb)
		}
		return
	}
	if t == rawType { // as JSON: PostgreSQL's jsonb spaces and orders keys its way
		var va, vb any
		ea, eb := json.Unmarshal(a.Bytes(), &va), json.Unmarshal(b.Bytes(), &vb)
		if (ea == nil) != (eb == nil) || !reflect.DeepEqual(va, vb) {
			d.add(path, "%s != %s", a.Bytes(), b.Bytes())
		}
		return
	}
	if t == loggerType || t.PkgPath() == "sync" || t.PkgPath() == "sync/atomic" {
		return
	}
	switch t.Kind() {
	case reflect.Chan, reflect.Func, reflect.UnsafePointer:
		return
	case reflect.Pointer:
		if a.IsNil() || b.IsNil() {
			if a.IsNil() != b.IsNil() {
				d.add(path, "nil and not nil")
			}
			return
		}
		// Sharing must match too: a struct of a that two places hold is
		// one struct of b (an apply writing through one of them changes
		// the other). Times and numbers behind pointers are replaced,
		// never written through: sharing them means nothing.
		if t.Elem().Kind() == reflect.Struct && t.Elem() != timeType {
			ka, kb := ptrKey{t, a.Pointer()}, ptrKey{t, b.Pointer()}
			if pb, ok := d.fwd[ka]; ok && pb != kb.p {
				d.add(path, "shared with another place in the first only")
			}
			if pa, ok := d.back[kb]; ok && pa != ka.p {
				d.add(path, "shared with another place in the second only")
			}
			d.fwd[ka], d.back[kb] = kb.p, ka.p
		}
		key := [2]uintptr{a.Pointer(), b.Pointer()}
		if d.seen[key] {
			return
		}
		d.seen[key] = true
		d.walk(path, a.Elem(), b.Elem())
	case reflect.Interface:
		if a.IsNil() || b.IsNil() {
			if a.IsNil() != b.IsNil() {
				d.add(path, "nil and not nil")
			}
			return
		}
		d.walk(path, copyOf(a.Elem()), copyOf(b.Elem()))
	case reflect.Struct:
		for i := range t.NumField() {
			name := t.Field(i).Name
			if d.skip[name] {
				continue
			}
			d.walk(path+"."+name, open(a.Field(i)), open(b.Field(i)))
		}
	case reflect.Slice, reflect.Array:
		if a.Len() != b.Len() {
			d.add(path, "length %d != %d", a.Len(), b.Len())
			return
		}
		for i := range a.Len() {
			d.walk(fmt.Sprintf("%s[%d]", path, i), open(a.Index(i)), open(b.Index(i)))
		}
	case reflect.Map:
		if a.Len() != b.Len() {
			d.add(path, "size %d != %d", a.Len(), b.Len())
			return
		}
		it := a.MapRange()
		for it.Next() {
			bv := b.MapIndex(it.Key())
			if !bv.IsValid() {
				d.add(fmt.Sprintf("%s[%v]", path, it.Key()), "only in the first")
				continue
			}
			d.walk(fmt.Sprintf("%s[%v]", path, it.Key()), copyOf(it.Value()), copyOf(bv))
		}
	default:
		if a.Interface() != b.Interface() {
			d.add(path, "%v != %v", a.Interface(), b.Interface())
		}
	}
}

// copyOf puts a map value or an interface's value into an addressable
// copy, so that its unexported fields can be opened.
func copyOf(v reflect.Value) reflect.Value {
	c := reflect.New(v.Type()).Elem()
	c.Set(v)
	return c
}

func asTime(v reflect.Value) time.Time {
	if v.CanInterface() {
		return v.Interface().(time.Time)
	}
	return copyOf(v).Interface().(time.Time)
}
