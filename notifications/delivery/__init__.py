"""How notifications leave the system, one module per channel (called by notifications.tasks):

- `email`: one e-mail per notification, sent at most once (the row is locked while sending).
- `push`: one PushDelivery row per (notification, active token), sent in batches through
  `expo` and checked later against Expo's receipts.

Nothing here queues tasks or imports the services: the flow is services -> tasks -> delivery.
"""
