// Package gid turns the database's row IDs into the opaque IDs the GraphQL API
// shows, and back.
//
// ent numbers rows from one sequence per type (type<<32 + n), so a raw ID told
// any caller how many users, links or tokens every organization together had
// made: invite one person today and one tomorrow, and the difference counted the
// whole installation's invitations in between. An API ID is the row ID
// encrypted under this installation's key with a 64-bit block cipher (a Feistel
// network whose round function is AES), written in 11 URL-safe characters. It
// is a permutation, so every row keeps one ID for good, and a made-up ID reads
// as a row that does not exist.
package gid

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"entgo.io/contrib/entgql"
	"github.com/99designs/gqlgen/graphql"

	"certlink/internal/apperr"
	"certlink/internal/viewer"
)

// KeySize is the length of an installation's key.
const KeySize = 16

const rounds = 8

// Codec encrypts and decrypts row IDs under one installation's key, and signs
// cursors. It is safe for concurrent use.
type Codec struct {
	block cipher.Block
	// mac is the key cursors are signed with, derived from the key.
	mac []byte
}

// New returns the codec of a KeySize-byte key.
func New(key []byte) (*Codec, error) {
	if len(key) != KeySize {
		return nil, fmt.Errorf("gid: the key has %d bytes, want %d", len(key), KeySize)
	}
	b, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	m := hmac.New(sha256.New, key)
	m.Write([]byte("certlink cursors"))
	return &Codec{block: b, mac: m.Sum(nil)}, nil
}

// round is the Feistel round function: AES of (round, half), its first 32 bits.
func (c *Codec) round(r int, half uint32) uint32 {
	var in, out [aes.BlockSize]byte
	in[0] = byte(r)
	binary.BigEndian.PutUint32(in[1:], half)
	c.block.Encrypt(out[:], in[:])
	return binary.BigEndian.Uint32(out[:])
}

func (c *Codec) encrypt(v uint64) uint64 {
	l, r := uint32(v>>32), uint32(v)
	for i := 0; i < rounds; i++ {
		l, r = r, l^c.round(i, r)
	}
	return uint64(l)<<32 | uint64(r)
}

func (c *Codec) decrypt(v uint64) uint64 {
	l, r := uint32(v>>32), uint32(v)
	for i := rounds - 1; i >= 0; i-- {
		l, r = r^c.round(i, l), l
	}
	return uint64(l)<<32 | uint64(r)
}

// Encode is a row ID's API ID.
func (c *Codec) Encode(id int) string {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], c.encrypt(uint64(id)))
	return base64.RawURLEncoding.EncodeToString(b[:])
}

var (
	// ErrNotAnID is what Decode gives for a string no codec could have
	// written: not 11 URL-safe base64 characters.
	ErrNotAnID = errors.New("not an ID this API gave (IDs are 11 characters, as the API returned them)")
	// ErrNotACursor is a cursor no codec could have written.
	ErrNotACursor = errors.New("not a cursor this API gave")
	// ErrNoRow is a well-formed ID that decrypts to no possible row: what a
	// made-up ID gives half the time (the other half names a row that does
	// not exist, and reads as not found). Decode's error is NOT_FOUND naming
	// the ID, as every not-found answer does (review), and Is ErrNoRow.
	ErrNoRow = errors.New("an ID of no row")
)

// noRow is Decode's NOT_FOUND for a well-formed ID of no possible row.
type noRow struct{ err *apperr.Error }

func (e noRow) Error() string     { return e.err.Error() }
func (e noRow) Unwrap() error     { return e.err }
func (e noRow) Is(err error) bool { return err == ErrNoRow }

// Decode is the row ID of an API ID.
func (c *Codec) Decode(s string) (int, error) {
	if len(s) != 11 {
		return 0, ErrNotAnID
	}
	var b [8]byte
	if n, err := base64.RawURLEncoding.Strict().Decode(b[:], []byte(s)); err != nil || n != 8 {
		return 0, ErrNotAnID
	}
	v := c.decrypt(binary.BigEndian.Uint64(b[:]))
	if v == 0 || v > math.MaxInt64 {
		// s is 11 URL-safe characters: safe to quote.
		return 0, noRow{apperr.New(apperr.NotFound, "Nothing you may see has the id %s.", s)}
	}
	return int(v), nil
}

type ctxKey struct{}

// With gives ctx the codec the API's IDs are written with.
func With(ctx context.Context, c *Codec) context.Context {
	return context.WithValue(ctx, ctxKey{}, c)
}

// From is ctx's codec, or nil.
func From(ctx context.Context) *Codec {
	c, _ := ctx.Value(ctxKey{}).(*Codec)
	return c
}

var errNoCodec = errors.New("gid: no ID codec in the context")

// MarshalID and UnmarshalID are the GraphQL ID scalar (gqlgen.yml): an int row
// ID on the Go side, its encrypted form on the wire.
func MarshalID(id int) graphql.ContextMarshaler {
	return graphql.ContextWriterFunc(func(ctx context.Context, w io.Writer) error {
		c := From(ctx)
		if c == nil {
			return errNoCodec
		}
		_, err := io.WriteString(w, strconv.Quote(c.Encode(id)))
		return err
	})
}

func UnmarshalID(ctx context.Context, v any) (int, error) {
	c := From(ctx)
	if c == nil {
		return 0, errNoCodec
	}
	s, ok := v.(string)
	if !ok {
		return 0, ErrNotAnID
	}
	return c.Decode(s)
}

// MarshalCursor and UnmarshalCursor are the Cursor scalar: entgql's cursor (a
// row ID and the order field's value, msgpack in base64) with its ID encrypted
// like an ID, so a page's cursor tells no more than its rows' IDs, and signed
// (".", then a MAC of what precedes it): only a cursor this installation wrote
// is read, so none can be made from another organization's ID to learn where
// its row falls among one's own (review).
func MarshalCursor(cur entgql.Cursor[int]) graphql.ContextMarshaler {
	return graphql.ContextWriterFunc(func(ctx context.Context, w io.Writer) error {
		c := From(ctx)
		if c == nil {
			return errNoCodec
		}
		cur.ID = int(c.encrypt(uint64(cur.ID)))
		var b strings.Builder
		cur.MarshalGQL(&b)
		body, err := strconv.Unquote(b.String())
		if err != nil {
			return err
		}
		_, err = io.WriteString(w, strconv.Quote(body+"."+c.sign(scope(ctx)+"\x00"+body)))
		return err
	})
}

func UnmarshalCursor(ctx context.Context, v any) (entgql.Cursor[int], error) {
	var cur entgql.Cursor[int]
	c := From(ctx)
	if c == nil {
		return cur, errNoCodec
	}
	s, ok := v.(string)
	if !ok {
		return cur, ErrNotACursor
	}
	body, sig, ok := strings.Cut(s, ".")
	if !ok || !hmac.Equal([]byte(sig), []byte(c.sign(scope(ctx)+"\x00"+body))) {
		return cur, ErrNotACursor
	}
	if err := cur.UnmarshalGQL(body); err != nil {
		return cur, err
	}
	id := c.decrypt(uint64(cur.ID))
	if id == 0 || id > math.MaxInt64 {
		return cur, ErrNotACursor
	}
	cur.ID = int(id)
	return cur, nil
}

// scope is what a cursor is good for: the connection it pages (its type, e.g.
// UserConnection) for the organization of the caller it was given to (or the
// account, outside any). Signed with it, another organization's cursor — a
// partner tool holding both — could not place its row among one's own users,
// nor a cursor of the audit log page the users (review). A cursor is written
// in the field context of its edge or page info, below the connection; it is
// read in the connection's own.
func scope(ctx context.Context) string {
	conn := ""
	for fc := graphql.GetFieldContext(ctx); fc != nil; fc = fc.Parent {
		if fc.Field.Field == nil {
			continue
		}
		if d := fc.Field.Definition; d != nil && d.Type != nil && strings.HasSuffix(d.Type.Name(), "Connection") {
			conn = d.Type.Name() + order(ctx, fc)
			break
		}
		if fc.Field.ObjectDefinition != nil {
			if c, ok := pagedLike[fc.Field.ObjectDefinition.Name+"."+fc.Field.Name]; ok {
				conn = c
				break
			}
		}
	}
	who := ""
	if v := viewer.From(ctx); v != nil {
		switch {
		case v.OrgID != 0:
			who = "o" + strconv.Itoa(v.OrgID)
		case v.UserID != 0:
			who = "u" + strconv.Itoa(v.UserID)
		default:
			who = "t" + strconv.Itoa(v.TokenID)
		}
	}
	return conn + "/" + who
}

// order is the ordering a connection field fc was asked for, as its cursors
// are signed: a cursor carries the value of the row's order field, so one of
// another ordering (users by email, read as users by name) would page from a
// place that means nothing (review). The argument is read as written — it is
// not yet unmarshalled when the after or before cursor is — with the
// direction's default (ASC) filled in, so an omitted and an explicit ASC agree.
func order(ctx context.Context, fc *graphql.FieldContext) string {
	var vars map[string]any
	if graphql.HasOperationContext(ctx) {
		vars = graphql.GetOperationContext(ctx).Variables
	}
	raw, ok := fc.Field.ArgumentMap(vars)["orderBy"]
	if !ok || raw == nil {
		return ""
	}
	one := func(v any) string {
		m, ok := v.(map[string]any)
		if !ok {
			return fmt.Sprint(v)
		}
		dir := m["direction"]
		if dir == nil {
			dir = "ASC"
		}
		return fmt.Sprintf("%v %v", m["field"], dir)
	}
	list, ok := raw.([]any)
	if !ok {
		return " by " + one(raw)
	}
	parts := make([]string, len(list))
	for i, v := range list {
		parts[i] = one(v)
	}
	return " by " + strings.Join(parts, ", ")
}

// pagedLike are the list fields paged with the cursors of a connection:
// RequirementProgress.people is peopleConnection's edges, as a list.
var pagedLike = map[string]string{"RequirementProgress.people": "RequirementPeopleConnection"}

// sign is the MAC of a cursor's body: 16 bytes of HMAC-SHA256, in base64.
func (c *Codec) sign(body string) string {
	m := hmac.New(sha256.New, c.mac)
	m.Write([]byte(body))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:16])
}

// Show is row id as a message to the caller names it: its API ID when ctx is
// an API request's, the bare number elsewhere (logs, workers).
func Show(ctx context.Context, id int) string {
	if c := From(ctx); c != nil {
		return c.Encode(id)
	}
	return strconv.Itoa(id)
}

// Parse reads what Show wrote: an API ID when ctx is an API request's, a bare
// number elsewhere.
func Parse(ctx context.Context, s string) (int, error) {
	if c := From(ctx); c != nil {
		return c.Decode(s)
	}
	return strconv.Atoi(s)
}
