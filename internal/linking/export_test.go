package linking

import (
	"context"

	"certlink/ent"
	"certlink/internal/viewer"
)

// AssociateProfile is associate for a profile the test looked up itself: it
// stands for a profile read just before a racing change (personOf, then a
// merge commits).
func (s *Service) AssociateProfile(ctx context.Context, v *viewer.Viewer, p *ent.Profile) error {
	return s.associate(ctx, v, p.AccountID, Kind(p.Kind), p.ID, "", true)
}

// AfterPersonRead runs f between an association's first read of the person
// and its transaction.
func (s *Service) AfterPersonRead(f func()) { s.afterPersonRead = f }

// ReadAgainFails runs f as an association reads the person again for
// another attempt; f's error stands for that read's.
func (s *Service) ReadAgainFails(f func() error) { s.readAgainFails = f }
