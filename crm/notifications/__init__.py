"""In-app notifications (提醒与通知): the list, mark read, and the top-bar bell."""
