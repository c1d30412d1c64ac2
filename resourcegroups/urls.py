app_name = "resourcegroups"
urlpatterns = []
