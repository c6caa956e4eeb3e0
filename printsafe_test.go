package instore_test

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"log/slog"
	"math/big"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/instorepay/instore/internal/redact"
)

// This file holds the test that no exported value of the module prints a
// secret or a full payment code, however a careless integrator prints it:
// fmt's %v, %+v, %#v, %s, %q and %x, slog's text and JSON handlers, and
// encoding/json.
//
// It cannot be outgrown. It parses the module's source (go/parser) to find
// every exported struct type of every package, so a new package or a new
// type fails it until the type is added to printRegistry below. It fills
// every field of every value by reflection, unexported ones and nested
// structs, pointers, maps and slices included, so a new field is covered
// the day it is added. Every string-like field (a string, []byte, a map or
// slice of them) is taken to hold a secret, and filled with one of the
// sentinels in turn (a secret key, a password, an 18-digit and a 24-digit
// payment code), unless it is listed in publicFields: a field listed there
// has been reviewed as printable (an id, a status, a name, a message the
// clients sanitise). Fields of string enum types (a named string type with
// constants, such as Currency) are printable. Keys and big integers are
// filled with a sentinel RSA key. A sentinel found in any printed form, raw,
// hex, base64, as bytes or as a fragment of its middle, fails the test and
// names the fields that leaked.
//
// Values whose job is to carry a code or a key to the wire (a PayRequest, a
// transport.Request) are covered too: they must print masked. Values built
// by the constructors with sentinel keys (clients, handlers, simulators) are
// printed as well.

// modulePath is the module's import path; types under it are filled field
// by field, types from elsewhere (sync.Mutex, http.Client) are left zero.
const modulePath = "github.com/instorepay/instore"

// Sentinels. Each is filled into every secret field in one pass.
var sentinels = []string{
	"skey_test_SENTINELsecret",      // an Omise secret key
	"SENTINEL-pa55word!",            // a password (PPRO), a webhook secret
	"134567890123456789",            // an 18-digit WeChat Pay code
	"281234567890123456789012",      // a 24-digit Alipay+ code
	"SENTINEL-signature-AbCdEfGhIj", // a signature, an Authorization value
}

// publicMarker is what a printable string field is filled with.
const publicMarker = "pub"

// sentinelKey is the RSA key filled into key fields; its private exponent
// must never print.
var sentinelKey = sync.OnceValue(func() *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return k
})

// leakForms are the shapes a leaked sentinel takes in printed text.
func leakForms(s string) []string {
	quoted := `"` + s + `"`
	forms := []string{
		s,
		s[4 : len(s)-4], // the middle: a mask keeps at most four at each end
		base64.StdEncoding.EncodeToString([]byte(s)),
		base64.StdEncoding.EncodeToString([]byte(s + ":")), // Basic auth
		base64.StdEncoding.EncodeToString([]byte(quoted)),  // []byte in JSON
		hex.EncodeToString([]byte(s)),
		hex.EncodeToString([]byte(quoted)),
		byteList(s), // []byte under %v
	}
	return forms
}

// byteList is s as fmt prints a []byte with %v, without the brackets.
func byteList(s string) string {
	parts := make([]string, len(s))
	for i := range len(s) {
		parts[i] = strconv.Itoa(int(s[i]))
	}
	return strings.Join(parts, " ")
}

// keyForms are the shapes the sentinel key's secret parts take.
func keyForms() []string {
	k := sentinelKey()
	var forms []string
	for _, n := range []*big.Int{k.D, k.Primes[0], k.Primes[1]} {
		forms = append(forms, n.String()[:24], n.Text(16)[:24], fmt.Sprintf("%X", n)[:24])
	}
	return forms
}

// printed returns v printed every way a careless integrator might.
func printed(t *testing.T, v any) map[string]string {
	t.Helper()
	out := make(map[string]string)
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x"} {
		out[verb] = fmt.Sprintf(verb, v)
	}
	var text, js bytes.Buffer
	slog.New(slog.NewTextHandler(&text, nil)).Info("sale", slog.Any("value", v))
	slog.New(slog.NewJSONHandler(&js, nil)).Info("sale", slog.Any("value", v))
	out["slog text"], out["slog json"] = text.String(), js.String()
	func() {
		defer func() {
			if p := recover(); p != nil {
				out["json"] = fmt.Sprintf("PANIC=%v", p)
			}
		}()
		b, err := json.Marshal(v)
		if err != nil {
			// A caller logs the error, and a MarshalJSON may put the
			// value in it: it is checked like any other printed form.
			out["json"] = "ERROR=" + err.Error()
			return
		}
		out["json"] = string(b)
	}()
	return out
}

// leaks returns the ways of printing v that show one of forms, or panicked.
func leaks(t *testing.T, v any, forms []string) []string {
	t.Helper()
	var bad []string
	for how, s := range printed(t, v) {
		if strings.Contains(s, "PANIC=") || strings.Contains(s, "panicked") {
			bad = append(bad, how+" panicked: "+s)
			continue
		}
		for _, f := range forms {
			if strings.Contains(s, f) {
				bad = append(bad, how)
				break
			}
		}
	}
	sort.Strings(bad)
	return bad
}

// filler fills a value by reflection.
type filler struct {
	sentinel string
	// only, when set, makes only that field secret: for finding the field
	// behind a leak.
	only   string
	public map[string]bool
	// shaped are fields printed through redact's masks (codes, key
	// shapes): secret for a sentinel such a mask finds, printable for one
	// it cannot (a password could never be in them).
	shaped map[string]bool
	enums  map[string]bool
	// secret records the fields filled with the sentinel.
	secret map[string]bool
}

var (
	errorType      = reflect.TypeFor[error]()
	headerType     = reflect.TypeFor[http.Header]()
	timeType       = reflect.TypeFor[time.Time]()
	rsaPrivateType = reflect.TypeFor[rsa.PrivateKey]()
	bigIntType     = reflect.TypeFor[big.Int]()
)

// typeKey names a declared type as the registry does: "alipayplus.Store".
func typeKey(t reflect.Type) string {
	name, _, _ := strings.Cut(t.Name(), "[")
	return path.Base(t.PkgPath()) + "." + name
}

func ours(t reflect.Type) bool {
	return t.PkgPath() == modulePath || strings.HasPrefix(t.PkgPath(), modulePath+"/")
}

func (f *filler) isSecret(field string, t reflect.Type) bool {
	if t.Name() != "" && ours(t) && f.enums[typeKey(t)] {
		return false
	}
	if f.only != "" {
		return field == f.only
	}
	if f.shaped[field] {
		return redact.Text(f.sentinel, 100) != f.sentinel
	}
	return !f.public[field]
}

func (f *filler) text(field string, t reflect.Type) string {
	if f.isSecret(field, t) {
		f.secret[field] = true
		return f.sentinel
	}
	return publicMarker
}

// fill sets v, reached through field ("instore.Charge.Source"), to a
// non-zero value. stack holds the struct types being filled, so that a
// cycle (a client that points at its services that point at it) ends.
func (f *filler) fill(v reflect.Value, field string, stack []reflect.Type) {
	t := v.Type()
	switch t {
	case timeType:
		v.Set(reflect.ValueOf(time.Date(2024, 6, 12, 10, 30, 0, 0, time.UTC)))
		return
	case rsaPrivateType:
		f.secret[field] = true
		v.Set(reflect.ValueOf(*sentinelKey()))
		return
	case bigIntType:
		f.secret[field] = true
		v.Set(reflect.ValueOf(*sentinelKey().D))
		return
	}
	switch t.Kind() {
	case reflect.String:
		v.SetString(f.text(field, t))
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		v.SetInt(1)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		v.SetUint(1)
	case reflect.Float32, reflect.Float64:
		v.SetFloat(1.5)
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			// Valid JSON, so that a json.RawMessage still marshals.
			v.Set(reflect.ValueOf([]byte(`"` + f.text(field, t) + `"`)).Convert(t))
			return
		}
		s := reflect.MakeSlice(t, 1, 1)
		f.fill(s.Index(0), field, stack)
		v.Set(s)
	case reflect.Array:
		for i := range v.Len() {
			f.fill(v.Index(i), field, stack)
		}
	case reflect.Map:
		if t == headerType {
			// Header names are not secret; values may be.
			h := http.Header{}
			for _, name := range []string{"Authorization", "X-Unreviewed"} {
				h[name] = []string{f.text(field, t.Elem().Elem())}
			}
			v.Set(reflect.ValueOf(h))
			return
		}
		m := reflect.MakeMap(t)
		k, e := reflect.New(t.Key()).Elem(), reflect.New(t.Elem()).Elem()
		f.fill(k, field, stack)
		f.fill(e, field, stack)
		m.SetMapIndex(k, e)
		v.Set(m)
	case reflect.Pointer:
		el := t.Elem()
		if el.Kind() == reflect.Struct && !ours(el) && el != timeType && el != rsaPrivateType && el != bigIntType {
			return // a foreign struct: an http.Client, a logger
		}
		if slices.Contains(stack, el) || len(stack) > 8 {
			return
		}
		p := reflect.New(el)
		f.fill(p.Elem(), field, stack)
		v.Set(p)
	case reflect.Struct:
		if !ours(t) {
			return // sync.Mutex, list.List: nothing of ours inside
		}
		stack = append(stack, t)
		for i := range t.NumField() {
			fv := v.Field(i)
			if !fv.CanSet() {
				fv = reflect.NewAt(fv.Type(), unsafe.Pointer(fv.UnsafeAddr())).Elem()
			}
			f.fill(fv, typeKey(t)+"."+t.Field(i).Name, stack)
		}
	case reflect.Interface:
		if t == errorType {
			// A cause, as an error type's own code would set it; the
			// types print it through its Error method.
			v.Set(reflect.ValueOf(errors.New("cause")))
		}
	default:
		// Other interfaces, funcs and channels stay nil: there is nothing
		// to print in them that the filler could choose.
	}
}

// filled returns a pointer to a new value of t, filled.
func (f *filler) filled(t reflect.Type) reflect.Value {
	p := reflect.New(t)
	f.fill(p.Elem(), typeKey(t), nil)
	return p
}

// moduleTypes is what parsing the module finds.
type moduleTypes struct {
	// structs are the exported struct types, by typeKey.
	structs map[string]string // -> file
	// enums are the named string types with constants.
	enums map[string]bool
	// mains are package main directories with exported struct types.
	mains map[string][]string
}

// typeDecl is a type declaration: its file and its type expression.
type typeDecl struct {
	file string
	expr ast.Expr
}

// discover parses every non-test Go file of the module (not testdata, not
// a nested module) and lists its exported struct types, generic ones
// included, and types defined as another struct type of the package
// (type SourceService service).
func discover(t *testing.T, root string) moduleTypes {
	t.Helper()
	mt := moduleTypes{structs: map[string]string{}, enums: map[string]bool{}, mains: map[string][]string{}}
	fset := token.NewFileSet()
	perDir := map[string]map[string]typeDecl{} // dir -> type name -> its type expression
	pkgOf := map[string]string{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if p != root {
				if n := d.Name(); n == "testdata" || strings.HasPrefix(n, ".") || strings.HasPrefix(n, "_") {
					return filepath.SkipDir
				}
				if _, err := os.Stat(filepath.Join(p, "go.mod")); err == nil {
					return filepath.SkipDir
				}
			}
			return nil
		}
		if !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return nil
		}
		file, err := parser.ParseFile(fset, p, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		dir := filepath.Dir(p)
		pkgOf[dir] = file.Name.Name
		if perDir[dir] == nil {
			perDir[dir] = map[string]typeDecl{}
		}
		for _, dl := range file.Decls {
			g, ok := dl.(*ast.GenDecl)
			if !ok {
				continue
			}
			for _, spec := range g.Specs {
				switch s := spec.(type) {
				case *ast.TypeSpec:
					if s.Assign.IsValid() {
						continue // an alias names a type declared elsewhere
					}
					perDir[dir][s.Name.Name] = typeDecl{file: p, expr: s.Type}
				case *ast.ValueSpec:
					if id, ok := s.Type.(*ast.Ident); ok && g.Tok == token.CONST {
						mt.enums[file.Name.Name+"."+id.Name] = true
					}
				}
			}
		}
		return nil
	})
	require.NoError(t, err)
	for dir, types := range perDir {
		pkg := pkgOf[dir]
		for name, d := range types {
			if !ast.IsExported(name) || !isStruct(d.expr, types) {
				continue
			}
			if pkg == "main" {
				mt.mains[dir] = append(mt.mains[dir], name)
				continue
			}
			key := pkg + "." + name
			if other, dup := mt.structs[key]; dup && filepath.Dir(other) != dir {
				t.Errorf("two packages named %s declare %s: the registry keys by package name", pkg, name)
			}
			mt.structs[key] = d.file
		}
	}
	return mt
}

// isStruct reports a struct type expression, or the name of one declared in
// the same package, followed through definitions.
func isStruct(e ast.Expr, types map[string]typeDecl) bool {
	for range 8 {
		switch x := e.(type) {
		case *ast.StructType:
			return true
		case *ast.Ident:
			d, ok := types[x.Name]
			if !ok {
				return false
			}
			e = d.expr
		default:
			return false
		}
	}
	return false
}

// TestNothingPrintsASecret is the test described at the top of this file.
func TestNothingPrintsASecret(t *testing.T) {
	t.Parallel()
	mt := discover(t, ".")
	for dir, names := range mt.mains {
		t.Errorf("package main in %s declares exported struct types %v: no test of another package can reach them; unexport them or move them to a package", dir, names)
	}

	reg := printRegistry()
	var missing, stale []string
	for key := range mt.structs {
		if _, ok := reg[key]; !ok {
			missing = append(missing, key+" ("+mt.structs[key]+")")
		}
	}
	for key, v := range reg {
		if _, ok := mt.structs[key]; !ok {
			stale = append(stale, key)
		}
		if got := typeKey(reflect.TypeOf(v)); got != key {
			t.Errorf("registry entry %s holds a %s", key, got)
		}
	}
	sort.Strings(missing)
	sort.Strings(stale)
	assert.Empty(t, missing, "exported struct types missing from printRegistry: add each, as a zero value")
	assert.Empty(t, stale, "printRegistry entries that are no longer exported struct types of the module")

	public, shaped := fieldSet(publicFields), fieldSet(shapeMaskedFields)
	seenFields := map[string]bool{}
	keys := make([]string, 0, len(reg))
	for k := range reg {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, key := range keys {
		typ := reflect.TypeOf(reg[key])
		t.Run(key, func(t *testing.T) {
			t.Parallel()
			for _, s := range sentinels {
				f := &filler{sentinel: s, public: public, shaped: shaped, enums: mt.enums, secret: map[string]bool{}}
				p := f.filled(typ)
				forms := append(leakForms(s), keyForms()...)
				bad := append(leaks(t, p.Elem().Interface(), forms), leaks(t, p.Interface(), forms)...)
				// A nil pointer prints without a panic (slog is left out: it
				// reports a value method called through a nil pointer
				// itself, without printing anything of the value).
				for how, s := range printed(t, reflect.Zero(reflect.PointerTo(typ)).Interface()) {
					if !strings.HasPrefix(how, "slog") && strings.Contains(s, "PANIC=") {
						bad = append(bad, "nil pointer "+how+": "+s)
					}
				}
				if len(bad) > 0 {
					t.Errorf("%s prints sentinel %q: %v; fields behind it: %v", key, s, slices.Compact(bad), culprits(t, typ, s, f, mt.enums))
				}
			}
		})
		// Fields the registry's types reach, for the stale check below.
		f := &filler{sentinel: sentinels[0], public: map[string]bool{}, enums: mt.enums, secret: map[string]bool{}}
		f.filled(typ)
		for k := range f.secret {
			seenFields[k] = true
		}
	}
	var stalePublic []string
	for k := range public {
		if !seenFields[k] {
			stalePublic = append(stalePublic, k)
		}
	}
	for k := range shaped {
		if !seenFields[k] {
			stalePublic = append(stalePublic, k)
		}
	}
	sort.Strings(stalePublic)
	assert.Empty(t, stalePublic, "publicFields names fields that no longer exist (or are not strings)")
}

// culprits finds the secret fields that leak on their own.
func culprits(t *testing.T, typ reflect.Type, sentinel string, f *filler, enums map[string]bool) []string {
	t.Helper()
	var out []string
	for field := range f.secret {
		g := &filler{sentinel: sentinel, only: field, public: f.public, shaped: f.shaped, enums: enums, secret: map[string]bool{}}
		p := g.filled(typ)
		forms := leakForms(sentinel)
		if len(leaks(t, p.Interface(), forms))+len(leaks(t, p.Elem().Interface(), forms)) > 0 {
			out = append(out, field)
		}
	}
	sort.Strings(out)
	return out
}

// fieldSet expands a list of fields per type into "pkg.Type.Field" keys.
func fieldSet(list map[string]string) map[string]bool {
	set := map[string]bool{}
	for typ, fields := range list {
		for _, f := range strings.Fields(fields) {
			set[typ+"."+f] = true
		}
	}
	return set
}
