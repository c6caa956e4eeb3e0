package redact

import (
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Format prints masked, a copy of a value with its secrets already masked,
// for a Format method (fmt.Formatter) of the value's type. masked must be of
// a type without formatting methods of its own (a conversion to a local
// type with the same fields), or Format would recurse; name is the type name
// %#v shows ("instore.SourceParams"), in place of that local type's.
//
// %v, %+v and %s print the fields as fmt prints a struct, %#v as a Go
// literal, %q the %v form quoted. Any other verb prints "%!verb(name)":
// fmt's way of saying the verb does not apply, without the fields, since a
// verb such as %x or %d would print them unmasked-looking or not at all.
func Format(f fmt.State, verb rune, name string, masked any) {
	var s string
	switch verb {
	case 'v':
		switch {
		case f.Flag('#'):
			s = fmt.Sprintf("%#v", masked)
			s = strings.Replace(s, fmt.Sprintf("%T", masked), name, 1)
		case f.Flag('+'):
			s = fmt.Sprintf("%+v", masked)
		default:
			s = fmt.Sprintf("%v", masked)
		}
	case 's':
		s = fmt.Sprintf("%v", masked)
	case 'q':
		s = strconv.Quote(fmt.Sprintf("%v", masked))
	default:
		s = "%!" + string(verb) + "(" + name + ")"
	}
	_, _ = io.WriteString(f, s)
}
