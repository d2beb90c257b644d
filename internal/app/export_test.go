package app

// FillDecodeRoom takes all the room left for decoding large bodies, as many
// large requests decoding at once would, and returns the func giving it back.
func (a *App) FillDecodeRoom() func() {
	n := decodeLimit - a.decodeRoom.Used()
	a.decodeRoom.Take("", n)
	return func() { a.decodeRoom.Give("", n) }
}
