"""Demo data of the référentiel: the committed 2026 snapshot and the barometer's frames.

- The 2026 vintage (@etalab/decoupage-administratif 6.0.0) is loaded unless it already is.
- The 2026 frame is built from it.
- The 2018 frame (the barometer edition described in the seed documents) is built from the
  oldest vintage committed here, 2025 (package 5.3.0): the 2018 official data is not in the
  repository, so this frame approaches the 2018 one and says so in its note.
Existing frames are left as they are.
"""

from django.conf import settings

from .models import LoadedSnapshot
from .services import build_frame, load_snapshot
from .snapshot import read_snapshot

OLDEST_SNAPSHOT = (
    settings.BASE_DIR / "observatoire" / "territories" / "data" / "decoupage-5.3.0.json.gz"
)


def load(stdout=None):
    snapshot = read_snapshot(settings.TERRITORIES_SNAPSHOT)
    if LoadedSnapshot.objects.filter(sha256=snapshot.sha256).exists():
        message = f"Territoires : millésime {snapshot.vintage} déjà chargé."
    else:
        summary = load_snapshot(snapshot=snapshot, progress=stdout is not None)
        message = (
            f"Territoires : millésime {snapshot.vintage} chargé "
            f"({sum(summary['created'].values())} créés, {sum(summary['updated'].values())} mis à jour)."
        )
    frames = []
    frame, _created = build_frame(year=snapshot.vintage)
    frames.append(frame)
    frame, _created = build_frame(year=2018, snapshot=read_snapshot(OLDEST_SNAPSHOT))
    frames.append(frame)
    if stdout:
        stdout.write(message)
        for frame in frames:
            stdout.write(
                f"Base de sondage {frame.year} (millésime {frame.vintage}) : {frame.communes} communes, "
                f"{frame.epcis} EPCI, {frame.departements} départements, {frame.regions} régions."
            )
