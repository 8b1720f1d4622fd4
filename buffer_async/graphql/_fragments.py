"""The fragments the SDK's documents spread, each written once.

A selection that more than one type or operation holds (an asset, a post's
metadata, a channel, a post, an idea...) is a fragment here, by name.
``_documents`` writes each operation's document as the operation followed by
every fragment it spreads, directly or through another fragment, each once;
``tests/graphql/test_documents.py`` checks that every fragment is spread
somewhere and that each selects what its model holds.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

__all__ = ["FRAGMENTS"]

FRAGMENTS: Mapping[str, str] = MappingProxyType(
    {
        "AssetFields": """
fragment AssetFields on Asset {
  __typename
  id
  type
  mimeType
  source
  thumbnail
  ... on ImageAsset {
    image {
      altText
      width
      height
      isAnimated
      animatedThumbnail
      userTags {
        handle
        x
        y
      }
    }
  }
  ... on VideoAsset {
    video {
      durationMs
      width
      height
      fileSize
      title
      thumbnailOffset
      containerFormat
      videoCodec
      audioCodec
      frameRate
      videoBitRate
      rotationDegree
      isTranscodingRequired
      isVideoProcessing
    }
  }
  ... on DocumentAsset {
    document {
      title
      numPages
      filesize
      thumbnails
    }
  }
}""",
        "LinkAttachmentFields": """
fragment LinkAttachmentFields on LinkAttachment {
  url
  expandedUrl
  title
  text
  thumbnail
  thumbnails
}""",
        "PinterestBoardFields": """
fragment PinterestBoardFields on PinterestBoard {
  id
  serviceId
  name
  url
  description
  avatar
}""",
        "LocationDataFields": """
fragment LocationDataFields on LocationData {
  location
  mapsLink
  googleAccountId
}""",
        "AuthorFields": """
fragment AuthorFields on Author {
  id
  name
  email
  avatar
  isDeleted
}""",
        "PostMetricFields": """
fragment PostMetricFields on PostMetric {
  type
  value
  unit
  name
  description
}""",
        "PostMetadataFields": """
fragment PostMetadataFields on PostMetadata {
  __typename
  ... on CommonPostMetadata {
    type
    annotations {
      type
      indices
      content
      text
      url
    }
  }
  ... on ThreadedPostMetadata {
    thread {
      text
      assets {
        ...AssetFields
      }
    }
    threadCount
  }
  ... on InstagramPostMetadata {
    firstComment
    link
    geolocation {
      id
      text
    }
    shouldShareToFeed
    stickerFields {
      text
      music
      products
      topics
      other
    }
    isAiGenerated
  }
  ... on FacebookPostMetadata {
    title
    firstComment
    linkAttachment {
      ...LinkAttachmentFields
    }
  }
  ... on LinkedInPostMetadata {
    firstComment
    linkAttachment {
      ...LinkAttachmentFields
    }
  }
  ... on TwitterPostMetadata {
    retweet {
      id
      url
      text
      createdAt
      thumbnails
    }
    isAiGenerated
  }
  ... on MastodonPostMetadata {
    spoilerText
  }
  ... on ThreadsPostMetadata {
    linkAttachment {
      ...LinkAttachmentFields
    }
    topic
    locationId
    locationName
  }
  ... on BlueskyPostMetadata {
    linkAttachment {
      ...LinkAttachmentFields
    }
  }
  ... on PinterestPostMetadata {
    title
    url
    board {
      ...PinterestBoardFields
    }
  }
  ... on GoogleBusinessPostMetadata {
    title
    details {
      __typename
      ... on GoogleBusinessWhatsNewMetaData {
        button
        link
      }
      ... on GoogleBusinessOfferMetaData {
        title
        startDate
        endDate
        code
        link
        terms
      }
      ... on GoogleBusinessEventMetaData {
        title
        startDate
        endDate
        isFullDayEvent
        button
        link
      }
    }
  }
  ... on YoutubePostMetadata {
    title
    privacy
    category {
      categoryId
      title
    }
    license
    notifySubscribers
    embeddable
    madeForKids
    isAiGenerated
  }
  ... on TiktokPostMetadata {
    title
    isAiGenerated
  }
}""",
        "ChannelFields": """
fragment ChannelFields on Channel {
  id
  name
  displayName
  service
  type
  serviceId
  organizationId
  descriptor
  avatar
  timezone
  externalLink
  createdAt
  updatedAt
  isDisconnected
  isLocked
  isNew
  isQueuePaused
  showTrendingTopicSuggestions
  hasActiveMemberDevice
  allowedActions
  scopes
  products
  postingSchedule {
    day
    times
    paused
  }
  postingGoal {
    goal
    sentCount
    scheduledCount
    status
    periodStart
    periodEnd
  }
  linkShortening {
    isEnabled
    config {
      domain
      name
    }
  }
  metadata {
    __typename
    ... on InstagramMetadata {
      defaultToReminders
    }
    ... on TiktokMetadata {
      defaultToReminders
    }
    ... on YoutubeMetadata {
      defaultToReminders
    }
    ... on PinterestMetadata {
      boards {
        ...PinterestBoardFields
      }
    }
    ... on MastodonMetadata {
      serverUrl
    }
    ... on BlueskyMetadata {
      serverUrl
    }
    ... on GoogleBusinessMetadata {
      locationData {
        ...LocationDataFields
      }
    }
    ... on FacebookMetadata {
      locationData {
        ...LocationDataFields
      }
    }
    ... on TwitterMetadata {
      subscriptionType
    }
    ... on LinkedInMetadata {
      shouldShowLinkedinAnalyticsRefreshBanner
    }
  }
}""",
        "PostFields": """
fragment PostFields on Post {
  id
  channelId
  channelService
  status
  text
  shareMode
  schedulingType
  dueAt
  sentAt
  createdAt
  updatedAt
  isCustomScheduled
  sharedNow
  via
  ideaId
  externalLink
  notificationStatus
  error {
    message
    supportUrl
    rawError
  }
  assets {
    ...AssetFields
  }
  metadata {
    ...PostMetadataFields
  }
  tags {
    id
    name
    color
    isLocked
  }
  notes {
    id
    text
    type
    author {
      ...AuthorFields
    }
    createdAt
    updatedAt
    allowedActions
  }
  author {
    ...AuthorFields
  }
  channel {
    ...ChannelFields
  }
  metrics {
    ...PostMetricFields
  }
  metricsUpdatedAt
  allowedActions
}""",
        "IdeaFields": """
fragment IdeaFields on Idea {
  id
  organizationId
  content {
    title
    text
    media {
      id
      url
      type
      alt
      thumbnailUrl
      size
    }
    tags {
      id
      name
      color
    }
    services
    date
    aiAssisted
  }
  groupId
  position
  createdAt
  updatedAt
}""",
    }
)
"""Each fragment's text (``fragment <Name> on <Type> { ... }``), by name."""
