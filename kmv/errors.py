from django.core.exceptions import ValidationError


class ConflictError(ValidationError):
    """Someone else saved first (optimistic locking): nothing was overwritten. Pages answer
    409 and keep the user's input; the API answers 409 with the saved state."""
