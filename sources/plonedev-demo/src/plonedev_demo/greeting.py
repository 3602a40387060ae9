"""The greeting both the @@demo-hello view and the @demo-info service answer with.

Edit GREETING to see a code change take effect: the view and the service read it at
request time, so a code reload (plone.reload) or a restart is enough.
"""

GREETING = "hello"
