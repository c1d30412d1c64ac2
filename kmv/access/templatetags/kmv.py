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
