from django import template

register = template.Library()


@register.filter
def ds(bound_field):
    """Render a widget with Designsystemet's class and ARIA links to help and errors."""
    widget = bound_field.field.widget
    attrs = {}
    if bound_field.widget_type not in ("checkboxselectmultiple", "radioselect"):
        attrs["class"] = f"{widget.attrs.get('class', '')} ds-input".strip()
    described = []
    if bound_field.help_text:
        described.append(f"{bound_field.auto_id}_helptext")
    if bound_field.errors:
        attrs["aria-invalid"] = "true"
        described.append(f"{bound_field.auto_id}_error")
    if described:
        attrs["aria-describedby"] = " ".join(described)
    return bound_field.as_widget(attrs=attrs)


def _model_for(object_type: str):
    from django.apps import apps

    for model in apps.get_models():
        if model._meta.model_name == object_type:
            return model
    return None


@register.filter
def object_label(object_type: str) -> str:
    """The audit log stores model names; show the model's translated name."""
    model = _model_for(object_type)
    return str(model._meta.verbose_name) if model else object_type


@register.filter
def field_labels(event) -> str:
    model = _model_for(event.object_type)
    labels = []
    for name in event.fields:
        try:
            labels.append(str(model._meta.get_field(name).verbose_name) if model else name)
        except Exception:  # noqa: BLE001 — a field renamed since the event was logged
            labels.append(name)
    return ", ".join(labels)
