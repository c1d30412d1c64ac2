import logging

from celery import shared_task
from django.core.cache import cache
from django.core.files.storage import default_storage

log = logging.getLogger(__name__)


def progress_key(job_id: int) -> str:
    return f"reports-import-progress:{job_id}"


@shared_task(acks_late=True)
def import_commit(job_id: int) -> str:
    """Commit a checked import file in the background, all or nothing, recording progress.
    Safe to run twice: only a queued job is claimed (conditional UPDATE)."""
    from kmv.access.models import User

    from . import imports
    from .models import ImportJob

    claimed = ImportJob.objects.filter(pk=job_id, state=ImportJob.State.QUEUED).update(
        state=ImportJob.State.RUNNING
    )
    if not claimed:
        return "already claimed"
    job = ImportJob.objects.get(pk=job_id)
    user = User.objects.get(pk=job.user_id)

    def progress(done: int, total: int) -> None:
        # The rows are written in one transaction, so a progress column on the job would
        # stay invisible to the status page until the end: the count goes to the cache
        # (Redis when REDIS_URL is set; without it only an eager/in-process run shows it).
        try:
            cache.set(progress_key(job_id), [done, total], 3600)
        except Exception:  # noqa: BLE001 — progress is a nicety; the import must go on
            log.warning("cache unreachable: import progress not shown", exc_info=True)

    with default_storage.open(job.path, "rb") as fh:
        rows = imports.read_rows(job.name, fh.read())
    ImportJob.objects.filter(pk=job_id).update(total=len(rows))
    try:
        result = imports.commit(rows, user, progress=progress)
    except imports.ImportRejected as exc:
        errors = [[r.number, r.errors] for r in exc.result.error_rows]
        ImportJob.objects.filter(pk=job_id).update(
            state=ImportJob.State.REJECTED, errors=errors, done=0
        )
        return "rejected"
    finally:
        default_storage.delete(job.path)
    ImportJob.objects.filter(pk=job_id).update(
        state=ImportJob.State.DONE, done=len(result.rows), total=len(result.rows)
    )
    return "done"
