"""Wait until the office answers: ``connect.py PORT SECONDS``; prints its product version."""

import json
import sys

from unoconnect import connect

context = connect(int(sys.argv[1]), float(sys.argv[2]))
provider = context.ServiceManager.createInstanceWithContext(
    "com.sun.star.configuration.ConfigurationProvider", context)
print(json.dumps({"ready": True}))
