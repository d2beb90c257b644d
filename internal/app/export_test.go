package app

// FillDecodeRoom takes all the room left for decoding large bodies, as many
// large requests decoding at once would, and returns the func giving it back.
func (a *App) FillDecodeRoom() func() {
	a.decodeRoom.mu.Lock()
	n := a.decodeRoom.limit - a.decodeRoom.used
	a.decodeRoom.used += n
	a.decodeRoom.mu.Unlock()
	return func() { a.decodeRoom.give(n) }
}
