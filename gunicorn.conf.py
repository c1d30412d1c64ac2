"""gunicorn settings (read from the working directory, /app in the image).

The access log goes to stdout through `kmv.logscrub.GunicornLogger`, which masks national
identity numbers in request lines, query strings and referers before they are written.
"""

accesslog = "-"
logger_class = "kmv.logscrub.GunicornLogger"
